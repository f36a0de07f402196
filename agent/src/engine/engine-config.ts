// The engine's configuration file, in dockerd's daemon.json shape so users can bring theirs:
// today the registry settings. A missing file means defaults; a malformed one stops start-up
// with a clear message rather than running with surprising settings.
import { promises as fs } from 'node:fs';
import { z } from 'zod';
import { invalid } from '../errors.ts';
import type { RegistryConfig } from '../image/registry/registry-config.ts';

const ConfigFile = z
  .object({
    'insecure-registries': z.array(z.string()).optional(),
    'registry-mirrors': z.array(z.string().url()).optional(),
  })
  .passthrough();

export interface EngineConfig {
  registry: RegistryConfig;
}

export async function loadEngineConfig(file: string | undefined): Promise<EngineConfig> {
  let raw = '{}';
  if (file) {
    try {
      raw = await fs.readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    throw invalid(`unable to configure the engine with file ${file}: ${(e as Error).message}`);
  }
  const parsed = ConfigFile.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw invalid(`unable to configure the engine with file ${file}: ${i.path.join('.')}: ${i.message}`);
  }
  return {
    registry: {
      insecureRegistries: parsed.data['insecure-registries'] ?? [],
      mirrors: parsed.data['registry-mirrors'] ?? [],
    },
  };
}
