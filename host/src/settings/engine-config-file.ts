// The engine's daemon.json, written from the UI's engine settings. The engine reads it at start
// (agent/src/engine/engine-config.ts), so a change asks for an engine restart. Keys Berth does not
// manage are kept as the user wrote them.
import { promises as fs } from 'node:fs';
import type { Settings } from '../../../protocol/src/index.ts';
import { writeFileAtomic } from './atomic-file.ts';

export const ENGINE_KEYS = new Set(['insecureRegistries', 'registryMirrors']);

export async function writeEngineConfig(file: string, s: Pick<Settings, 'insecureRegistries' | 'registryMirrors'>): Promise<void> {
  let current: Record<string, unknown> = {};
  try {
    current = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot update ${file}: ${(e as Error).message}`);
  }
  const next = { ...current, 'insecure-registries': s.insecureRegistries, 'registry-mirrors': s.registryMirrors };
  await writeFileAtomic(file, JSON.stringify(next, null, 2) + '\n', 0o644);
}
