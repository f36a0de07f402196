import { beforeEach, describe, expect, it } from 'vitest';
import { FakeBrowserWindow, fakeShell, navEvent } from './electron-fakes.ts';
import { createMainWindow, showRoute, type WindowElectron } from './main-window.ts';
import { isAllowedExternalUrl } from './navigation-guard.ts';

function open() {
  const { shell, opened } = fakeShell();
  const electron = { BrowserWindow: FakeBrowserWindow, shell } as unknown as WindowElectron;
  const win = createMainWindow(electron, { preload: '/app/dist/electron/preload.cjs', url: 'app://berth/index.html' }) as unknown as FakeBrowserWindow;
  return { win, opened };
}
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('main window', () => {
  beforeEach(() => void (FakeBrowserWindow.created = []));

  it('is created hidden with the security flags on, and shown on ready-to-show', () => {
    const { win } = open();
    expect(win.options.show).toBe(false);
    expect(win.options.webPreferences).toMatchObject({
      preload: '/app/dist/electron/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(win.loaded).toEqual(['app://berth/index.html']);
    expect(win.shown).toBe(false);
    win.emit('ready-to-show');
    expect(win.shown).toBe(true);
  });

  it('blocks every navigation, opening only local port links in the browser', async () => {
    const { win, opened } = open();
    for (const url of ['https://example.com/', 'app://berth/other.html', 'file:///etc/passwd', 'http://localhost:8080/']) {
      const e = navEvent(url);
      win.webContents.emit('will-navigate', e, url);
      expect(e.defaultPrevented, url).toBe(true);
    }
    const redirect = navEvent('https://example.com/');
    win.webContents.emit('will-redirect', redirect);
    expect(redirect.defaultPrevented).toBe(true);
    await settle();
    expect(opened).toEqual(['http://localhost:8080/']);
  });

  it('denies new windows, opening only local port links in the browser', async () => {
    const { win, opened } = open();
    const handler = win.webContents.windowOpenHandler!;
    expect(handler({ url: 'http://127.0.0.1:3000/x' })).toEqual({ action: 'deny' });
    expect(handler({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(handler({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    await settle();
    expect(opened).toEqual(['http://127.0.0.1:3000/x']);
  });

  it('navigates the renderer by hash without reloading it', () => {
    const { win } = open();
    showRoute(win as never, '/containers/abc/terminal');
    expect(win.webContents.executed).toEqual(['location.hash = "/containers/abc/terminal"']);
    expect(win.loaded).toHaveLength(1);
  });
});

describe('external link allow-list', () => {
  it.each([
    ['http://localhost:8080', true],
    ['https://localhost:8443/path?q=1', true],
    ['http://127.0.0.1:80/', true],
    ['http://localhost', true],
    ['http://localhost.evil.com:8080', false],
    ['http://127.0.0.2:8080', false],
    ['http://0.0.0.0:8080', false],
    ['http://user:pw@localhost:8080', false],
    ['http://evil.com@localhost:8080', false],
    ['ftp://localhost:21', false],
    ['file:///etc/passwd', false],
    ['app://berth/index.html', false],
    ['not a url', false],
  ])('%s → %s', (url, allowed) => {
    expect(isAllowedExternalUrl(url)).toBe(allowed);
  });
});
