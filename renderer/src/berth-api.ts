// The one way the dashboard reaches the engine: `window.berth`, installed by Electron's preload or
// by the web mode's /berth-web.js. Tests swap in a fake with setApi().
import type { BerthApi } from '../../protocol/src/api-client.ts';

declare global {
  interface Window {
    berth?: BerthApi;
  }
}

let override: BerthApi | undefined;

export function berth(): BerthApi {
  const api = override ?? window.berth;
  if (!api) throw new Error('The Berth API is not available in this window.');
  return api;
}

export function setApi(api: BerthApi | undefined): void {
  override = api;
}

/** Web mode: the API script is served by the host; Electron's preload has set window.berth already. */
export function ensureApi(src = '/berth-web.js'): Promise<boolean> {
  if (override || window.berth) return Promise.resolve(true);
  return new Promise((resolve) => {
    const script = document.createElement('script');
    script.src = src;
    script.onload = () => resolve(Boolean(window.berth));
    script.onerror = () => resolve(false);
    document.head.appendChild(script);
  });
}

/** Errors cross IPC or the WebSocket as ApiError; show the engine's own message. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && err && 'message' in err) return String((err as { message: unknown }).message);
  return String(err);
}
