import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ApiImplementation, Settings } from '../../protocol/src/index.ts';
import { startBerthApp, type AppElectron } from './berth-app.ts';
import { click, FakeBrowserWindow, FakeMenu, fakeShell, FakeTray, findItem, navEvent } from './electron-fakes.ts';
import { createUnavailableService } from './host-service.ts';
import { API_CHANNEL } from './ipc-channel.ts';

const settle = (ms = 5) => new Promise((r) => setTimeout(r, ms));

function fakeElectron(lock = true) {
  const log: string[] = [];
  let ready!: () => void;
  const whenReady = new Promise<void>((r) => (ready = r));
  const app = Object.assign(new EventEmitter(), {
    whenReady: () => whenReady,
    requestSingleInstanceLock: () => lock,
    quit: () => log.push('quit'),
    exit: (code: number) => log.push(`exit ${code}`),
    setLoginItemSettings: (s: { openAtLogin: boolean }) => log.push(`login ${s.openAtLogin}`),
  });
  const protocol = {
    registerSchemesAsPrivileged: () => log.push('scheme'),
    handle: (scheme: string) => log.push(`handle ${scheme}`),
  };
  const session = {
    defaultSession: {
      webRequest: { onHeadersReceived: () => log.push('csp') },
      setPermissionRequestHandler: () => undefined,
      setPermissionCheckHandler: () => undefined,
    },
  };
  const ipcMain = new EventEmitter();
  const electron = {
    app, protocol, session, ipcMain, shell: fakeShell().shell, net: { fetch: async () => new Response('') },
    BrowserWindow: FakeBrowserWindow, Tray: FakeTray, Menu: FakeMenu,
  } as unknown as AppElectron;
  return { electron, app, ipcMain, log, ready };
}

function service(): ApiImplementation {
  const svc = createUnavailableService('down') as unknown as Record<string, unknown>;
  svc['settings.get'] = async () => ({ settings: { startAtLogin: true } as Settings, limits: { cpus: 1, memoryMb: 1, diskGb: 1 } });
  return svc as unknown as ApiImplementation;
}

const opts = { rendererDir: '/r', preload: '/p/preload.cjs', trayIcon: '/i/tray.png' };

describe('the app', () => {
  beforeEach(() => {
    FakeBrowserWindow.created = [];
    FakeTray.created = [];
  });

  it('registers the scheme at once, and on ready hardens the session, opens the window, tray and bridge', async () => {
    const f = fakeElectron();
    startBerthApp(f.electron, { ...opts, openService: async () => service() });
    expect(f.log).toEqual(['scheme']);
    expect(FakeBrowserWindow.created).toHaveLength(0);
    f.ready();
    await settle();
    expect(f.log).toEqual(['scheme', 'csp', 'handle app', 'login true']);
    const [win] = FakeBrowserWindow.created;
    expect(win.loaded).toEqual(['app://berth/index.html']);
    expect(win.options.webPreferences).toMatchObject({ preload: '/p/preload.cjs', sandbox: true });
    expect(f.ipcMain.listenerCount(API_CHANNEL)).toBe(1);
    expect(FakeTray.created).toHaveLength(1);
  });

  it('hides the window on close and keeps running until Quit', async () => {
    const f = fakeElectron();
    startBerthApp(f.electron, { ...opts, openService: async () => service() });
    f.ready();
    await settle();
    const [win] = FakeBrowserWindow.created;
    const close = navEvent('');
    win.emit('close', close);
    expect(close.defaultPrevented).toBe(true);
    expect(win.hidden).toBe(true);

    click(findItem(FakeTray.created[0].menu, 'Open Dashboard'));
    expect(win.shown).toBe(true);
    expect(FakeBrowserWindow.created).toHaveLength(1);

    click(findItem(FakeTray.created[0].menu, 'Quit Berth'));
    expect(f.log).toContain('quit');
    f.app.emit('before-quit');
    const closeForReal = navEvent('');
    win.emit('close', closeForReal);
    expect(closeForReal.defaultPrevented).toBe(false);
    expect(FakeTray.created[0].destroyed).toBe(true);
  });

  it('opens a container terminal from the tray by showing its route', async () => {
    const f = fakeElectron();
    const svc = service() as unknown as Record<string, unknown>;
    svc['engine.info'] = async () => ({ mode: 'native', state: 'running', version: '', apiVersion: '', os: '', kernel: '', cpus: 1, memory: 1, containers: 1, running: 1, images: 0, socket: '' });
    svc['containers.list'] = async () => [{ id: 'c/1', name: 'web', image: 'img', imageId: '', command: '', created: 0, state: 'running', status: '', ports: [], labels: {} }];
    startBerthApp(f.electron, { ...opts, openService: async () => svc as unknown as ApiImplementation });
    f.ready();
    await settle(20);
    const [win] = FakeBrowserWindow.created;
    win.hide();
    click(findItem(FakeTray.created[0].menu, 'Open terminal'));
    expect(win.shown).toBe(true);
    expect(win.webContents.executed).toEqual(['location.hash = "/containers/c%2F1/terminal"']);
  });

  it('still opens a window when the host fails to open, every call saying why', async () => {
    const f = fakeElectron();
    startBerthApp(f.electron, { ...opts, openService: async () => { throw new Error('settings.json: permission denied'); } });
    f.ready();
    await settle();
    const [win] = FakeBrowserWindow.created;
    f.ipcMain.emit(API_CHANNEL, { sender: win.webContents, senderFrame: win.webContents.mainFrame }, { t: 'call', id: 1, method: 'engine.info', params: {} });
    await settle();
    expect(win.webContents.sent).toEqual([[API_CHANNEL, { t: 'error', id: 1, error: { message: 'Berth could not start: settings.json: permission denied', kind: 'Unavailable' } }]]);
    expect(FakeTray.created[0].menu[0].label).toBe('Engine: not reachable');
  });

  it('a second instance quits and leaves the first one in charge', async () => {
    const f = fakeElectron(false);
    startBerthApp(f.electron, { ...opts, openService: async () => service() });
    f.ready();
    await settle();
    expect(f.log).toEqual(['scheme', 'quit']);
    expect(FakeBrowserWindow.created).toHaveLength(0);
  });
});
