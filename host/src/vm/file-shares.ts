// Host folders shared into the guest at the same path, over virtiofs: one virtiofsd per folder
// (it pivot_roots into that folder, so the guest sees nothing of the host outside the shares).
// Debian's cloud kernel has virtiofs but no 9p (DESIGN.md), which is why virtiofs it is.
//
// Ownership: as root, virtiofsd creates files with the container process's uid/gid, as a Linux
// bind mount would. As a normal user it runs in a user namespace that maps the user to root, so
// whatever a container writes as root is owned by the user on the host (Docker Desktop's
// behaviour); container users other than root cannot create files there (virtiofsd cannot switch
// to an unmapped uid).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, realpathSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface FileShare {
  /** virtiofs tag (≤ 36 bytes): berth0, berth1, … */
  tag: string;
  /** Absolute, symlink-free host path; the guest mounts it at the same path. */
  hostPath: string;
  /** vhost-user socket between virtiofsd and QEMU. */
  socket: string;
}

const VIRTIOFSD_PATHS = ['/usr/lib/qemu/virtiofsd', '/usr/libexec/virtiofsd', '/usr/lib/virtiofsd'];

export function findVirtiofsd(): string | undefined {
  const env = process.env.BERTH_VIRTIOFSD;
  if (env) return env;
  return VIRTIOFSD_PATHS.find((p) => existsSync(p));
}

/**
 * The folders to share: absolute, resolved, existing directories; a folder inside another shared
 * one is dropped (it is visible already). Returns the problems instead of throwing, so a bad
 * entry in the settings costs that folder, not the boot.
 */
export function planShares(folders: readonly string[], socketDir: string): { shares: FileShare[]; problems: string[] } {
  const problems: string[] = [];
  const dirs: string[] = [];
  for (const f of folders) {
    if (!path.isAbsolute(f)) {
      problems.push(`shared folder "${f}" is not an absolute path`);
      continue;
    }
    let real: string;
    try {
      real = realpathSync(f);
      if (!statSync(real).isDirectory()) throw new Error('not a directory');
    } catch (err) {
      problems.push(`shared folder ${f} is skipped: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      continue;
    }
    if (real === '/') {
      problems.push('sharing / is refused: share your home folder or a project folder instead');
      continue;
    }
    dirs.push(real);
  }
  const inside = (child: string, parent: string) => child === parent || child.startsWith(parent + '/');
  const kept = [...new Set(dirs)].sort().filter((d, _, all) => !all.some((p) => p !== d && inside(d, p)));
  return { shares: kept.map((hostPath, i) => ({ tag: `berth${i}`, hostPath, socket: path.join(socketDir, `fs${i}.sock`) })), problems };
}

/** The kernel command line entry: base64 of "tag\tpath" lines (paths may hold spaces). */
export function sharesCmdline(shares: readonly FileShare[]): string | undefined {
  if (!shares.length) return undefined;
  return `berth.shares=${Buffer.from(shares.map((s) => `${s.tag}\t${s.hostPath}`).join('\n')).toString('base64')}`;
}

export interface VirtiofsdOptions {
  binary: string;
  /** Log file for every virtiofsd's stderr. */
  logFile: string;
  /** Run in a user namespace (the default when not root). */
  unprivileged?: boolean;
}

/**
 * Starts one virtiofsd per share and resolves once every socket exists. Each exits by itself when
 * QEMU closes its end (also after QEMU is killed); `stop` is for a QEMU that never started.
 */
export async function startVirtiofsd(shares: readonly FileShare[], o: VirtiofsdOptions): Promise<{ stop: () => void }> {
  const unprivileged = o.unprivileged ?? process.getuid?.() !== 0;
  const children: ChildProcess[] = [];
  const stop = () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  };
  try {
    for (const s of shares) {
      rmSync(s.socket, { force: true });
      const args = [`--socket-path=${s.socket}`, '-o', `source=${s.hostPath}`, '-o', 'cache=auto', '-o', 'announce_submounts'];
      // virtiofsd keeps a lock under /run/virtiofsd, which a user cannot write: in the user
      // namespace a private tmpfs on /run gives it one.
      const [cmd, argv] = unprivileged
        ? ['unshare', ['--user', '--map-root-user', '--mount', 'sh', '-c', 'mount -t tmpfs tmpfs /run && exec "$0" "$@"', o.binary, ...args]]
        : [o.binary, args];
      const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', openSync(o.logFile, 'a', 0o600)], detached: true });
      let failure: Error | undefined;
      child.once('error', (err) => (failure = err));
      child.unref();
      children.push(child);
      await waitForSocket(s.socket, o.logFile, () => failure ?? (child.exitCode !== null || child.signalCode !== null ? new Error('exited') : undefined));
    }
  } catch (err) {
    stop();
    throw err;
  }
  return { stop };
}

async function waitForSocket(socket: string, logFile: string, failed: () => Error | undefined): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!existsSync(socket)) {
    const err = failed() ?? (Date.now() > deadline ? new Error('no socket after 10 s') : undefined);
    if (err) throw new Error(`virtiofsd did not start (${err.message}; see ${logFile})`);
    await sleep(20);
  }
}
