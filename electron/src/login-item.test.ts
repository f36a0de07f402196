import { describe, expect, it } from 'vitest';
import type { ApiImplementation, Settings } from '../../protocol/src/index.ts';
import { syncLoginItem, withLoginItem } from './login-item.ts';

const settings = (startAtLogin: boolean): Settings => ({
  cpus: 2, memoryMb: 2048, diskGb: 64, sharedFolders: [], insecureRegistries: [], registryMirrors: [], startAtLogin, theme: 'system',
});
const limits = { cpus: 2, memoryMb: 8192, diskGb: 100 };

function fakeApp() {
  const calls: Array<{ openAtLogin?: boolean }> = [];
  return { calls, app: { setLoginItemSettings: (s: { openAtLogin?: boolean }) => void calls.push(s) } };
}

describe('start at login', () => {
  it('follows settings.update through the wrapped service, keeping the other methods', async () => {
    let stored = settings(false);
    class Service {
      label = 'svc';
      async 'settings.update'(patch: Partial<Settings>) {
        stored = { ...stored, ...patch };
        return { settings: stored, restartNeeded: false };
      }
      async 'engine.restart'() {
        return { ok: true as const, by: this.label };
      }
    }
    const { calls, app } = fakeApp();
    const svc = withLoginItem(new Service() as unknown as ApiImplementation, app);
    await svc['settings.update']({ startAtLogin: true });
    await svc['settings.update']({ cpus: 4 });
    await svc['settings.update']({ startAtLogin: false });
    expect(calls).toEqual([{ openAtLogin: true }, { openAtLogin: true }, { openAtLogin: false }]);
    await expect(svc['engine.restart']({})).resolves.toEqual({ ok: true, by: 'svc' });
  });

  it('does not touch the OS when the update fails', async () => {
    const { calls, app } = fakeApp();
    const svc = withLoginItem({ 'settings.update': async () => { throw new Error('disk full'); } } as unknown as ApiImplementation, app);
    await expect(svc['settings.update']({ startAtLogin: true })).rejects.toThrow('disk full');
    expect(calls).toEqual([]);
  });

  it('applies the stored setting at start-up, and nothing when the store fails', async () => {
    const on = fakeApp();
    await syncLoginItem({ 'settings.get': async () => ({ settings: settings(true), limits }) }, on.app);
    expect(on.calls).toEqual([{ openAtLogin: true }]);
    const broken = fakeApp();
    await syncLoginItem({ 'settings.get': async () => { throw new Error('unavailable'); } }, broken.app);
    expect(broken.calls).toEqual([]);
  });
});
