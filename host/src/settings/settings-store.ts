// The user's settings, persisted atomically as JSON. Defaults and bounds come from the host's
// resources; a file from a bigger machine (or an older version) is clamped and completed on load.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import { Settings, type HostLimits } from '../../../protocol/src/index.ts';
import { hostError } from '../engine-client/engine-api-error.ts';
import { writeFileAtomic } from './atomic-file.ts';

type SettingsValue = Settings;
const RESOURCE_KEYS = ['cpus', 'memoryMb', 'diskGb'] as const;
const MINIMUM = { cpus: 1, memoryMb: 512, diskGb: 8 };

export function defaultSettings(limits: HostLimits): SettingsValue {
  return {
    // Every host CPU, as Docker Desktop does: idle vCPUs cost nothing, and the guest's Node
    // start-up (and any build) is CPU-bound.
    cpus: Math.max(MINIMUM.cpus, limits.cpus),
    memoryMb: Math.max(MINIMUM.memoryMb, Math.min(8192, Math.floor(limits.memoryMb / 2 / 256) * 256)),
    diskGb: Math.max(MINIMUM.diskGb, Math.min(64, limits.diskGb)),
    // Docker Desktop shares the home folder by default, so `-v "$PWD":/src` works from a project.
    sharedFolders: [os.homedir()],
    insecureRegistries: [],
    registryMirrors: [],
    startAtLogin: false,
    theme: 'system',
  };
}

/** Resources within [minimum, host]; the minimum wins on a host smaller than it. */
export function clampToLimits(s: SettingsValue, limits: HostLimits): SettingsValue {
  const out = { ...s };
  for (const k of RESOURCE_KEYS) out[k] = Math.max(MINIMUM[k], Math.min(Math.floor(limits[k]), out[k]));
  return out;
}

export class SettingsStore {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(readonly file: string, readonly limits: HostLimits, private current: SettingsValue) {}

  static async open(file: string, limits: HostLimits): Promise<SettingsStore> {
    const defaults = defaultSettings(limits);
    let stored: Partial<SettingsValue> = {};
    try {
      const parsed = Settings.partial().safeParse(JSON.parse(await fs.readFile(file, 'utf8')));
      // A file we cannot read is set aside, not silently overwritten on the next save.
      if (parsed.success) stored = parsed.data;
      else await fs.rename(file, `${file}.invalid`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') await fs.rename(file, `${file}.invalid`).catch(() => undefined);
    }
    return new SettingsStore(file, limits, clampToLimits({ ...defaults, ...stored }, limits));
  }

  get(): SettingsValue {
    return structuredClone(this.current);
  }

  /** Applies a partial change; tells which keys actually changed. Out-of-bounds values are refused. */
  update(patch: Partial<SettingsValue>): Promise<{ settings: SettingsValue; changed: (keyof SettingsValue)[] }> {
    return this.serial(async () => {
      for (const k of RESOURCE_KEYS) {
        const v = patch[k];
        if (v !== undefined && v > this.limits[k]) {
          throw hostError('InvalidArgument', `${k} ${v} is more than this host has (${this.limits[k]})`);
        }
      }
      const next = Settings.parse({ ...this.current, ...stripUndefined(patch) });
      const changed = (Object.keys(next) as (keyof SettingsValue)[]).filter((k) => JSON.stringify(next[k]) !== JSON.stringify(this.current[k]));
      if (changed.length) await this.save(next);
      return { settings: this.get(), changed };
    });
  }

  reset(): Promise<SettingsValue> {
    return this.serial(async () => {
      await this.save(defaultSettings(this.limits));
      return this.get();
    });
  }

  private async save(next: SettingsValue): Promise<void> {
    await writeFileAtomic(this.file, JSON.stringify(next, null, 2) + '\n');
    this.current = next;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
