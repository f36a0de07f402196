import { describe, expect, it } from 'vitest';
import { mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeEngineConfig } from './engine-config-file.ts';
import { createSettingsApi } from '../api/settings-api.ts';
import { SettingsStore } from './settings-store.ts';

describe('engine settings → daemon.json', () => {
  it('writes registry settings and keeps keys Berth does not manage', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'daemon-json-'));
    const file = path.join(dir, 'daemon.json');
    await fs.writeFile(file, JSON.stringify({ debug: true, 'insecure-registries': ['old:1'] }));
    await writeEngineConfig(file, { insecureRegistries: ['reg.local:5000'], registryMirrors: ['https://mirror.example'] });
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual({ debug: true, 'insecure-registries': ['reg.local:5000'], 'registry-mirrors': ['https://mirror.example'] });
    await fs.rm(dir, { recursive: true });
  });

  it('settings.update writes daemon.json and asks for an engine restart only when registry settings change', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'settings-api-'));
    const store = await SettingsStore.open(path.join(dir, 'settings.json'), { cpus: 2, memoryMb: 4096, diskGb: 64 });
    const api = createSettingsApi(store, 'native', path.join(dir, 'daemon.json'));
    const r1 = await api['settings.update']({ theme: 'dark' });
    expect(r1.restartNeeded).toBe(false);
    await expect(fs.stat(path.join(dir, 'daemon.json'))).rejects.toThrow();
    const r2 = await api['settings.update']({ insecureRegistries: ['reg.local:5000'] });
    expect(r2.restartNeeded).toBe(true);
    expect(JSON.parse(await fs.readFile(path.join(dir, 'daemon.json'), 'utf8'))['insecure-registries']).toEqual(['reg.local:5000']);
    await fs.rm(dir, { recursive: true });
  });
});
