// The renderer is served from `app://berth/…`, a privileged custom scheme mapped onto the built
// files in dist/renderer: a real origin for the CSP's 'self' (file:// has none), and nothing
// outside that folder can be read through it.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Protocol } from 'electron';
import { CONTENT_SECURITY_POLICY } from './session-policy.ts';

export const APP_SCHEME = 'app';
export const APP_HOST = 'berth';
export const APP_INDEX_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** True for URLs of our own renderer (`app://berth/...`). */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/** The file under `root` an app:// URL names, or undefined when it is not ours or escapes root. */
export function resolveAppPath(root: string, url: string): string | undefined {
  if (!isAppUrl(url)) return undefined;
  let rel: string;
  try {
    rel = decodeURIComponent(new URL(url).pathname);
  } catch {
    return undefined;
  }
  if (rel === '' || rel === '/') rel = '/index.html';
  if (rel.includes('\0')) return undefined;
  const base = path.resolve(root);
  const full = path.resolve(base, `.${rel}`);
  return full.startsWith(base + path.sep) ? full : undefined;
}

/** Must run before the app is ready. */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([
    // standard: relative URLs and an origin; secure: like https; corsEnabled: vite's module scripts.
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
  ]);
}

export type FileFetch = (fileUrl: string) => Promise<Response>;

/** Serves `root` on app://berth, adding the CSP to every response itself. */
export function serveAppProtocol(protocol: Pick<Protocol, 'handle'>, fetchFile: FileFetch, root: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppPath(root, request.url);
    if (!file || request.method !== 'GET') return new Response('not found', { status: 404 });
    const res = await fetchFile(pathToFileURL(file).href);
    const headers = new Headers(res.headers);
    headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(res.body, { status: res.status, headers });
  });
}
