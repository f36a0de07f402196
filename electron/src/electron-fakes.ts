// Stand-ins for the few Electron objects the main-process modules touch, recording what was
// done to them. Electron's binary can't run here; its behaviour is not what these tests check.
import { EventEmitter } from 'node:events';
import type { MenuItemConstructorOptions } from 'electron';

export class FakeWebContents extends EventEmitter {
  sent: Array<[string, unknown]> = [];
  destroyed = false;
  windowOpenHandler?: (d: { url: string }) => { action: string };
  mainFrame = { processId: 1, routingId: 1, url: 'app://berth/index.html' };
  executed: string[] = [];
  send(channel: string, msg: unknown) {
    this.sent.push([channel, msg]);
  }
  isDestroyed() {
    return this.destroyed;
  }
  setWindowOpenHandler(h: (d: { url: string }) => { action: string }) {
    this.windowOpenHandler = h;
  }
  executeJavaScript(code: string) {
    this.executed.push(code);
    return Promise.resolve(undefined);
  }
}

/** An Electron-style event whose default can be prevented. */
export function navEvent(url: string, extra: Record<string, unknown> = {}) {
  return { url, defaultPrevented: false, preventDefault() { this.defaultPrevented = true; }, ...extra };
}

export class FakeBrowserWindow extends EventEmitter {
  static created: FakeBrowserWindow[] = [];
  webContents = new FakeWebContents();
  shown = false;
  hidden = false;
  loaded: string[] = [];
  destroyed = false;
  constructor(readonly options: Record<string, unknown>) {
    super();
    FakeBrowserWindow.created.push(this);
  }
  loadURL(url: string) {
    this.loaded.push(url);
    return Promise.resolve();
  }
  show() {
    this.shown = true;
    this.hidden = false;
  }
  hide() {
    this.hidden = true;
  }
  focus() {}
  restore() {}
  isMinimized() {
    return false;
  }
  isDestroyed() {
    return this.destroyed;
  }
}

export function fakeShell() {
  const opened: string[] = [];
  return { opened, shell: { openExternal: async (url: string) => void opened.push(url) } };
}

export class FakeTray {
  static created: FakeTray[] = [];
  menu: MenuItemConstructorOptions[] = [];
  tooltip = '';
  destroyed = false;
  constructor(readonly icon: unknown) {
    FakeTray.created.push(this);
  }
  setContextMenu(menu: { template: MenuItemConstructorOptions[] }) {
    this.menu = menu.template;
  }
  setToolTip(t: string) {
    this.tooltip = t;
  }
  destroy() {
    this.destroyed = true;
  }
}

export const FakeMenu = { buildFromTemplate: (template: MenuItemConstructorOptions[]) => ({ template }) };

/** Finds a menu item by label, descending into submenus. */
export function findItem(items: MenuItemConstructorOptions[], label: string | RegExp): MenuItemConstructorOptions | undefined {
  for (const item of items) {
    if (typeof item.label === 'string' && (typeof label === 'string' ? item.label === label : label.test(item.label))) return item;
    if (Array.isArray(item.submenu)) {
      const found = findItem(item.submenu, label);
      if (found) return found;
    }
  }
  return undefined;
}

export function click(item: MenuItemConstructorOptions | undefined) {
  if (!item?.click) throw new Error(`no clickable item ${item?.label}`);
  (item.click as () => void)();
}
