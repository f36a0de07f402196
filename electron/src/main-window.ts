// The dashboard window: hidden until its first paint, locked down as Electron's security
// checklist asks, showing only our renderer.
import type { BrowserWindow, BrowserWindowConstructorOptions } from 'electron';
import { guardNavigation } from './navigation-guard.ts';

export type WindowElectron = Pick<typeof import('electron'), 'BrowserWindow' | 'shell'>;

export interface MainWindowOptions {
  /** Absolute path of the bundled preload (dist/electron/preload.cjs). */
  preload: string;
  /** The renderer's entry URL (app://berth/index.html). */
  url: string;
  icon?: string;
}

export function mainWindowOptions(opts: MainWindowOptions): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 800,
    minWidth: 880,
    minHeight: 560,
    show: false,
    title: 'Berth',
    icon: opts.icon,
    webPreferences: {
      preload: opts.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}

export function createMainWindow(electron: WindowElectron, opts: MainWindowOptions): BrowserWindow {
  const win = new electron.BrowserWindow(mainWindowOptions(opts));
  guardNavigation(win.webContents, electron.shell);
  win.once('ready-to-show', () => win.show());
  win.loadURL(opts.url).catch(() => undefined);
  return win;
}

/** Shows a route of the renderer (hash routing: `#/containers/<id>/terminal`) without reloading it. */
export function showRoute(win: Pick<BrowserWindow, 'webContents'>, route: string): void {
  win.webContents.executeJavaScript(`location.hash = ${JSON.stringify(route)}`).catch(() => undefined);
}
