import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { findVirtiofsd, planShares, sharesCmdline, startVirtiofsd } from './file-shares.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'berth-shares-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('planShares', () => {
  it('resolves symlinks, drops folders inside other shares and numbers the tags', () => {
    const home = path.join(tmp, 'home');
    mkdirSync(path.join(home, 'proj'), { recursive: true });
    mkdirSync(path.join(tmp, 'other'));
    symlinkSync(path.join(tmp, 'other'), path.join(tmp, 'link'));
    const { shares, problems } = planShares([path.join(home, 'proj'), home, path.join(tmp, 'link'), home], '/s');
    expect(problems).toEqual([]);
    expect(shares).toEqual([
      { tag: 'berth0', hostPath: home, socket: '/s/fs0.sock' },
      { tag: 'berth1', hostPath: path.join(tmp, 'other'), socket: '/s/fs1.sock' },
    ]);
  });

  it('reports, and skips, relative, missing, non-directory and root entries', () => {
    writeFileSync(path.join(tmp, 'file'), 'x');
    const { shares, problems } = planShares(['rel/dir', path.join(tmp, 'nope'), path.join(tmp, 'file'), '/'], '/s');
    expect(shares).toEqual([]);
    expect(problems).toEqual([
      'shared folder "rel/dir" is not an absolute path',
      `shared folder ${path.join(tmp, 'nope')} is skipped: ENOENT`,
      `shared folder ${path.join(tmp, 'file')} is skipped: not a directory`,
      'sharing / is refused: share your home folder or a project folder instead',
    ]);
  });

  it('encodes tag and path lines for the kernel command line, spaces included', () => {
    expect(sharesCmdline([])).toBeUndefined();
    const arg = sharesCmdline([{ tag: 'berth0', hostPath: '/home/me/My Projects', socket: '/s' }, { tag: 'berth1', hostPath: '/srv', socket: '/t' }])!;
    expect(arg).toMatch(/^berth\.shares=[A-Za-z0-9+/=]+$/);
    expect(Buffer.from(arg.split('=').slice(1).join('='), 'base64').toString()).toBe('berth0\t/home/me/My Projects\nberth1\t/srv');
  });
});

describe('startVirtiofsd', () => {
  it('fails clearly (and leaves nothing running) when the daemon cannot start', async () => {
    const share = { tag: 'berth0', hostPath: tmp, socket: path.join(tmp, 'bad.sock') };
    await expect(startVirtiofsd([share], { binary: '/bin/false', logFile: path.join(tmp, 'v.log'), unprivileged: false })).rejects.toThrow(/virtiofsd did not start \(exited; see /);
    await expect(startVirtiofsd([share], { binary: path.join(tmp, 'missing'), logFile: path.join(tmp, 'v.log'), unprivileged: false })).rejects.toThrow(/ENOENT/);
  });

  // The real daemon needs root (as in CI); it waits for QEMU on its socket until stopped.
  it.runIf(findVirtiofsd() && process.getuid?.() === 0)('starts the real virtiofsd, which listens on the share socket until stopped', async () => {
    const share = { tag: 'berth0', hostPath: path.join(tmp, 'home'), socket: path.join(tmp, 'fs0.sock') };
    const d = await startVirtiofsd([share], { binary: findVirtiofsd()!, logFile: path.join(tmp, 'v.log') });
    expect(existsSync(share.socket)).toBe(true);
    d.stop();
    await sleep(200);
  });

  // The unprivileged launch (a user namespace with its own /run) is what a normal user gets; as
  // root the namespace maps root to root, but the command line and the /run trick are the same.
  it.runIf(findVirtiofsd() && process.getuid?.() === 0)('starts virtiofsd in a user namespace for unprivileged users', async () => {
    const share = { tag: 'berth0', hostPath: path.join(tmp, 'home'), socket: path.join(tmp, 'fs1.sock') };
    const d = await startVirtiofsd([share], { binary: findVirtiofsd()!, logFile: path.join(tmp, 'v2.log'), unprivileged: true });
    expect(existsSync(share.socket)).toBe(true);
    d.stop();
    await sleep(200);
  });
});
