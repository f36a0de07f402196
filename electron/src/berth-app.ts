// Wires the app together: the app:// scheme, the hardened session, one dashboard window (hidden
// on close, the app lives on in the tray, like Docker Desktop), the IPC bridge onto the host's
// API implementation, the tray, and start-at-login. Electron arrives as a parameter.
import type { BrowserWindow } from 'electron';
import { APP_INDEX_URL, registerAppScheme, serveAppProtocol } from './app-protocol.ts';
import { createUnavailableService, type HostService } from './host-service.ts';
import { attachApiBridge } from './ipc-bridge.ts';
import { syncLoginItem, withLoginItem } from './login-item.ts';
import { createMainWindow, showRoute } from './main-window.ts';
import { hardenSession } from './session-policy.ts';
import { createTrayController, type TrayController } from './tray-controller.ts';
import type { TrayActions } from './tray-menu.ts';

export type AppElectron = Pick<typeof import('electron'),
  'app' | 'BrowserWindow' | 'Menu' | 'Tray' | 'ipcMain' | 'net' | 'protocol' | 'session' | 'shell'>;

export interface BerthAppOptions {
  /** Opens the host's API implementation (settings store, engine client); awaited once the app is ready. */
  openService: () => Promise<HostService>;
  /** Engine lifecycle, when the host can start and stop it (the VM); without it the tray only restarts. */
  engine?: { start(): Promise<void>; stop(): Promise<void> };
  rendererDir: string;
  preload: string;
  trayIcon: string;
  windowIcon?: string;
}

/** Call before the app is ready (the scheme must be registered first). */
export function startBerthApp(electron: AppElectron, opts: BerthAppOptions): void {
  const { app } = electron;
  registerAppScheme(electron.protocol);
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  let host: HostService | undefined;
  let service = createUnavailableService('Berth is starting.');
  let win: BrowserWindow | undefined;
  let tray: TrayController | undefined;
  let quitting = false;
  let ready = false;

  const showWindow = (): BrowserWindow => {
    if (win && !win.isDestroyed()) {
      if (win.isMinimized()) win.restore();
      win.show();
      win.focus();
      return win;
    }
    const w = createMainWindow(electron, { preload: opts.preload, url: APP_INDEX_URL, icon: opts.windowIcon });
    attachApiBridge(electron.ipcMain, w.webContents, service);
    w.on('close', (event) => {
      if (quitting) return;
      event.preventDefault();
      w.hide();
    });
    win = w;
    return w;
  };

  // Errors from tray actions show up as the engine state the refresh reads afterwards.
  const act = (p: Promise<unknown>) => {
    p.catch((e: unknown) => console.error(`berth: ${e instanceof Error ? e.message : String(e)}`)).finally(() => void tray?.refresh());
  };
  const actions: TrayActions = {
    startEngine: opts.engine && (() => act(opts.engine!.start())),
    stopEngine: opts.engine && (() => act(opts.engine!.stop())),
    restartEngine: () => act(service['engine.restart']({})),
    openDashboard: () => void showWindow(),
    stopContainer: (id) => act(service['containers.stop']({ id })),
    restartContainer: (id) => act(service['containers.restart']({ id })),
    openTerminal: (id) => showRoute(showWindow(), `/containers/${encodeURIComponent(id)}/terminal`),
    quit: () => {
      quitting = true;
      app.quit();
    },
  };

  app.on('second-instance', () => void (ready && showWindow()));
  app.on('activate', () => void (ready && showWindow()));
  app.on('before-quit', () => {
    quitting = true;
    tray?.dispose();
    tray = undefined;
    host?.dispose?.();
    host = undefined;
  });
  // Closing the window keeps the engine and the tray running; Quit ends the app.
  app.on('window-all-closed', () => undefined);

  app.whenReady().then(async () => {
    // A host that fails to open still gets a window, whose every call says why.
    host = await opts.openService().catch((e: unknown) => createUnavailableService(`Berth could not start: ${e instanceof Error ? e.message : String(e)}`));
    service = withLoginItem(host, app);
    ready = true;
    hardenSession(electron.session.defaultSession);
    serveAppProtocol(electron.protocol, (url) => electron.net.fetch(url), opts.rendererDir);
    showWindow();
    tray = createTrayController(electron, { icon: opts.trayIcon, service, actions });
    void syncLoginItem(service, app);
  }).catch((e: unknown) => {
    console.error('berth: start-up failed', e);
    app.exit(1);
  });
}
