import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireLock, livePid } from './pid-file.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-pid-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pid files and the start lock', () => {
  it('treats a dead pid as stale and removes it', () => {
    const f = path.join(dir, 'a.pid');
    writeFileSync(f, `${process.pid}\n`);
    expect(livePid(f)).toBe(process.pid);
    writeFileSync(f, '999999999\n');
    expect(livePid(f)).toBeUndefined();
    expect(existsSync(f)).toBe(false);
  });

  it('lets one holder in at a time and takes over a lock whose holder died', async () => {
    const f = path.join(dir, 'start.lock');
    const release = await acquireLock(f, 1000);
    expect(readFileSync(f, 'utf8').trim()).toBe(String(process.pid));
    await expect(acquireLock(f, 300)).rejects.toThrow(/holds/);
    release();
    writeFileSync(f, '999999999\n');
    const again = await acquireLock(f, 300);
    again();
    expect(existsSync(f)).toBe(false);
  });
});
