import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, hardenSession, withCsp } from './session-policy.ts';

type HeadersListener = (details: { responseHeaders?: Record<string, string[]> }, cb: (r: { responseHeaders?: Record<string, string[]> }) => void) => void;

describe('session policy', () => {
  it('is the strict CSP the design asks for', () => {
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'",
    );
  });

  it('sets the CSP on every response, replacing a weaker one', () => {
    let listener: HeadersListener | undefined;
    let permission: ((wc: unknown, p: string, cb: (ok: boolean) => void) => void) | undefined;
    let check: ((wc: unknown, p: string) => boolean) | undefined;
    hardenSession({
      webRequest: { onHeadersReceived: (l: HeadersListener) => (listener = l) },
      setPermissionRequestHandler: (h: typeof permission) => (permission = h),
      setPermissionCheckHandler: (h: typeof check) => (check = h),
    } as never);
    let out: Record<string, string[]> | undefined;
    listener!({ responseHeaders: { 'content-security-policy': ["default-src *"], 'Content-Type': ['text/html'] } }, (r) => (out = r.responseHeaders));
    expect(out).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
    listener!({}, (r) => (out = r.responseHeaders));
    expect(out).toEqual({ 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });

    const asked: Array<[string, boolean]> = [];
    for (const p of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-sanitized-write']) permission!(null, p, (ok) => asked.push([p, ok]));
    expect(asked.filter(([, ok]) => ok).map(([p]) => p)).toEqual(['clipboard-sanitized-write']);
    expect(check!(null, 'clipboard-read')).toBe(false);
  });

  it('withCsp accepts single-string header values', () => {
    expect(withCsp({ 'X-A': 'b' })).toEqual({ 'X-A': ['b'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
  });
});
