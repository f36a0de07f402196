// settings.* and troubleshoot.*: the persisted settings with the host's bounds, reset to defaults,
// and the engine's (or VM's) log text when this host knows where it is.
import { promises as fs } from 'node:fs';
import type { SettingsStore } from '../settings/settings-store.ts';
import { OK, type ApiArea } from './api-area.ts';
import { ENGINE_KEYS, writeEngineConfig } from '../settings/engine-config-file.ts';

export interface LogFiles {
  engine?: string;
  vm?: string;
}

/** Enough of a log to diagnose, not the whole history. */
const LOG_TAIL_BYTES = 256 * 1024;
const RESTART_KEYS = new Set(['cpus', 'memoryMb', 'diskGb']);

export function createSettingsApi(settings: SettingsStore, mode: 'native' | 'vm', engineConfigFile?: string): ApiArea<'settings'> {
  return {
    'settings.get': async () => ({ settings: settings.get(), limits: settings.limits }),
    'settings.update': async (patch) => {
      const { settings: next, changed } = await settings.update(patch);
      // Registry settings live in the engine's daemon.json and apply when the engine restarts.
      const engineChanged = engineConfigFile !== undefined && changed.some((k) => ENGINE_KEYS.has(k));
      if (engineChanged) await writeEngineConfig(engineConfigFile, next);
      // A VM's resources need a restart to apply; a native engine uses the host's directly.
      return { settings: next, restartNeeded: engineChanged || (mode === 'vm' && changed.some((k) => RESTART_KEYS.has(k))) };
    },
  };
}

export function createTroubleshootApi(settings: SettingsStore, mode: 'native' | 'vm', logs: LogFiles = {}): ApiArea<'troubleshoot'> {
  return {
    'troubleshoot.logs': async ({ source }) => {
      const file = logs[source];
      if (!file) {
        const text = source === 'vm' && mode === 'native'
          ? 'There is no VM: the engine runs natively on this host.'
          : `The ${source} log is not available from this host: the ${source} was started outside Berth (see its own output or service journal).`;
        return { text };
      }
      return { text: await tailFile(file, LOG_TAIL_BYTES) };
    },
    'troubleshoot.reset': async () => {
      await settings.reset();
      return OK;
    },
  };
}

export async function tailFile(file: string, bytes: number): Promise<string> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(file, 'r');
  } catch (e) {
    return `(cannot read ${file}: ${(e as Error).message})`;
  }
  try {
    const { size } = await fh.stat();
    const start = Math.max(0, size - bytes);
    const buf = Buffer.alloc(size - start);
    await fh.read(buf, 0, buf.length, start);
    const text = buf.toString('utf8');
    // Start at a whole line when the head was cut.
    return start > 0 ? text.slice(text.indexOf('\n') + 1) : text;
  } finally {
    await fh.close();
  }
}
