// The window never navigates and never opens windows. Links to published ports on this machine
// (http(s)://localhost:PORT, 127.0.0.1) open in the user's browser instead; anything else is dropped.
import type { Shell, WebContents } from 'electron';

export function isAllowedExternalUrl(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return (u.protocol === 'http:' || u.protocol === 'https:')
    && (u.hostname === 'localhost' || u.hostname === '127.0.0.1')
    && u.username === '' && u.password === '';
}

export function guardNavigation(webContents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>, shell: Pick<Shell, 'openExternal'>): void {
  const openOutside = (url: string) => {
    if (isAllowedExternalUrl(url)) shell.openExternal(url).catch(() => undefined);
  };
  webContents.on('will-navigate', (event) => {
    event.preventDefault();
    openOutside(event.url);
  });
  webContents.on('will-redirect', (event) => event.preventDefault());
  webContents.on('will-attach-webview', (event) => event.preventDefault());
  webContents.setWindowOpenHandler(({ url }) => {
    openOutside(url);
    return { action: 'deny' };
  });
}
