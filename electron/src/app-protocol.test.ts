import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_INDEX_URL, isAppUrl, registerAppScheme, resolveAppPath, serveAppProtocol } from './app-protocol.ts';
import { CONTENT_SECURITY_POLICY } from './session-policy.ts';

const root = path.resolve('/opt/berth/dist/renderer');

describe('app:// protocol', () => {
  it('maps URLs onto files under the renderer folder', () => {
    expect(resolveAppPath(root, APP_INDEX_URL)).toBe(path.join(root, 'index.html'));
    expect(resolveAppPath(root, 'app://berth/')).toBe(path.join(root, 'index.html'));
    expect(resolveAppPath(root, 'app://berth/assets/index-abc.js?v=1#x')).toBe(path.join(root, 'assets/index-abc.js'));
    expect(resolveAppPath(root, 'app://berth/my%20file.css')).toBe(path.join(root, 'my file.css'));
  });

  it('refuses anything outside it or not ours', () => {
    // The URL parser already folds plain and %2e dot segments at the root…
    expect(resolveAppPath(root, 'app://berth/../../../etc/passwd')).toBe(path.join(root, 'etc/passwd'));
    expect(resolveAppPath(root, 'app://berth/%2e%2e/%2e%2e/etc/passwd')).toBe(path.join(root, 'etc/passwd'));
    // …encoded slashes it leaves alone, and decoding them must not escape.
    for (const url of [
      'app://berth/..%2f..%2fetc/passwd',
      'app://berth/assets/%2e%2e%2f%2e%2e%2f..%2fsecret',
      'app://berth/%E0%A4%A',
      'app://berth/a%00b',
      'app://other/index.html',
      'file:///opt/berth/dist/renderer/index.html',
    ]) {
      expect(resolveAppPath(root, url), url).toBeUndefined();
    }
    expect(isAppUrl('app://berth/x')).toBe(true);
    expect(isAppUrl('app://berthx/x')).toBe(false);
  });

  it('registers the scheme as standard and secure', () => {
    let schemes: unknown;
    registerAppScheme({ registerSchemesAsPrivileged: (s: unknown) => (schemes = s) } as never);
    expect(schemes).toEqual([{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
  });

  it('serves files with the CSP set on the response, and 404 outside the folder', async () => {
    let handler: ((r: Request) => Promise<Response>) | undefined;
    const fetched: string[] = [];
    serveAppProtocol({ handle: (_s: string, h: typeof handler) => (handler = h) } as never, async (url) => {
      fetched.push(url);
      return new Response('<html></html>', { headers: { 'content-type': 'text/html', 'content-security-policy': 'default-src *' } });
    }, root);
    const ok = await handler!(new Request(APP_INDEX_URL));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(ok.headers.get('content-type')).toBe('text/html');
    expect(await ok.text()).toBe('<html></html>');
    expect(fetched).toEqual([`file://${path.join(root, 'index.html')}`]);
    const bad = await handler!(new Request('app://berth/..%2f..%2f..%2fetc/passwd'));
    expect(bad.status).toBe(404);
    expect(fetched).toHaveLength(1);
  });
});
