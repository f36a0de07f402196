import { mkdtempSync, promises as fs, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clampToLimits, defaultSettings, SettingsStore } from './settings-store.ts';
import { writeFileAtomic } from './atomic-file.ts';

const limits = { cpus: 8, memoryMb: 16384, diskGb: 100 };
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'berth-settings-'));
  dirs.push(d);
  return d;
};
afterEach(async () => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
});

describe('settings', () => {
  it('defaults from the host and never above it', () => {
    expect(defaultSettings(limits)).toMatchObject({ cpus: 8, memoryMb: 8192, diskGb: 64, theme: 'system' });
    expect(defaultSettings(limits).sharedFolders).toEqual([os.homedir()]);
    expect(defaultSettings({ cpus: 1, memoryMb: 1000, diskGb: 20 })).toMatchObject({ cpus: 1, memoryMb: 512, diskGb: 20 });
    expect(clampToLimits({ ...defaultSettings(limits), cpus: 64, memoryMb: 1 << 20, diskGb: 5 }, limits)).toMatchObject({ cpus: 8, memoryMb: 16384, diskGb: 8 });
  });

  it('persists updates, reports what changed, refuses more than the host has', async () => {
    const file = path.join(tmp(), 'home', 'settings.json');
    const s = await SettingsStore.open(file, limits);
    const r = await s.update({ cpus: 6, theme: 'dark', memoryMb: 8192 });
    expect(r.changed.sort()).toEqual(['cpus', 'theme']);
    await expect(s.update({ cpus: 9 })).rejects.toMatchObject({ kind: 'InvalidArgument', message: expect.stringMatching(/cpus 9 .*\(8\)/) });
    const again = await SettingsStore.open(file, limits);
    expect(again.get()).toMatchObject({ cpus: 6, theme: 'dark' });
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    await again.reset();
    expect((await SettingsStore.open(file, limits)).get()).toEqual(defaultSettings(limits));
  });

  it('completes an older file with defaults, clamps to a smaller host, sets a broken file aside', async () => {
    const dir = tmp();
    const file = path.join(dir, 'settings.json');
    await fs.writeFile(file, JSON.stringify({ cpus: 32, theme: 'light' }));
    expect((await SettingsStore.open(file, limits)).get()).toEqual({ ...defaultSettings(limits), cpus: 8, theme: 'light' });
    await fs.writeFile(file, '{"cpus": ');
    expect((await SettingsStore.open(file, limits)).get()).toEqual(defaultSettings(limits));
    expect(readdirSync(dir)).toContain('settings.json.invalid');
  });

  it('writes atomically: a failed write leaves the old file and no temp file', async () => {
    const dir = tmp();
    const file = path.join(dir, 'settings.json');
    await writeFileAtomic(file, 'old');
    vi.spyOn(fs, 'rename').mockRejectedValueOnce(Object.assign(new Error('disk gone'), { code: 'EIO' }));
    await expect(writeFileAtomic(file, 'new')).rejects.toThrow('disk gone');
    expect(await fs.readFile(file, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['settings.json']);
    await writeFileAtomic(file, 'new');
    expect(await fs.readFile(file, 'utf8')).toBe('new');
  });

  it('serialises concurrent updates', async () => {
    const s = await SettingsStore.open(path.join(tmp(), 'settings.json'), limits);
    await Promise.all([s.update({ registryMirrors: ['a'] }), s.update({ insecureRegistries: ['b'] }), s.update({ cpus: 2 })]);
    expect(s.get()).toMatchObject({ registryMirrors: ['a'], insecureRegistries: ['b'], cpus: 2 });
  });
});
