import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveStatic } from './static-files.ts';
import { contentSecurityPolicy, originAllowed, tokenMatches } from './ui-security.ts';
import type { IncomingMessage } from 'node:http';

describe('web mode guards', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'berth-static-'));
  mkdirSync(path.join(root, 'assets'));
  writeFileSync(path.join(root, 'assets', 'a.js'), '1');
  writeFileSync(path.join(os.tmpdir(), 'berth-outside.txt'), 'secret');

  it('serves files inside the renderer folder only', async () => {
    expect(await resolveStatic(root, '/assets/a.js')).toBe(path.join(root, 'assets', 'a.js'));
    expect(await resolveStatic(root, '/assets/%61.js')).toBe(path.join(root, 'assets', 'a.js'));
    expect(await resolveStatic(root, '/../berth-outside.txt')).toBeUndefined();
    expect(await resolveStatic(root, '/%2e%2e/berth-outside.txt')).toBeUndefined();
    expect(await resolveStatic(root, '/assets')).toBeUndefined();
    expect(await resolveStatic(root, '/%E0%A4%A')).toBeUndefined();
  });

  it('compares tokens exactly', () => {
    expect(tokenMatches('ab', 'ab')).toBe(true);
    expect(tokenMatches('abc', 'ab')).toBe(false);
    expect(tokenMatches(null, 'ab')).toBe(false);
  });

  it('accepts only its own origin', () => {
    const req = (origin?: string) => ({ headers: origin ? { origin } : {} }) as IncomingMessage;
    expect(originAllowed(req(), 5000)).toBe(true);
    expect(originAllowed(req('http://127.0.0.1:5000'), 5000)).toBe(true);
    expect(originAllowed(req('http://localhost:5000'), 5000)).toBe(true);
    expect(originAllowed(req('http://127.0.0.1:5001'), 5000)).toBe(false);
    expect(originAllowed(req('https://evil.example'), 5000)).toBe(false);
    expect(originAllowed(req('null'), 5000)).toBe(false);
  });

  it('has a CSP without inline or remote scripts', () => {
    const csp = contentSecurityPolicy(5000);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(csp).toContain('ws://127.0.0.1:5000');
  });
});
