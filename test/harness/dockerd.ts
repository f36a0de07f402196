// A real dockerd (Debian docker.io) on its own socket and data root, without networking, for
// round-trip checks (what Berth saves, dockerd loads). Cleans up everything it made.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DOCKER, run, type RunResult } from './engine-process.ts';

export interface DockerdHandle {
  docker: (args: string[]) => Promise<RunResult>;
  stop: () => Promise<void>;
}

export async function startDockerd(): Promise<DockerdHandle> {
  const base = mkdtempSync(path.join(os.tmpdir(), 'dockerd-'));
  const execRoot = `/run/bdd${process.pid.toString(36)}`;
  const sock = path.join(execRoot, 'docker.sock');
  const proc: ChildProcess = spawn(
    '/usr/sbin/dockerd',
    ['--data-root', path.join(base, 'data'), '--exec-root', execRoot, '-H', `unix://${sock}`, '--pidfile', path.join(base, 'pid'),
      '--bridge', 'none', '--iptables=false', '--ip6tables=false', '--ip-masq=false', '--storage-driver', 'overlay2'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  proc.stdout!.on('data', (b) => (log += b));
  proc.stderr!.on('data', (b) => (log += b));
  const env = { ...process.env, DOCKER_HOST: `unix://${sock}`, DOCKER_CONFIG: path.join(base, 'cfg') };
  const docker = (args: string[]) => run(DOCKER, args, { env });
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null || i > 300) throw new Error(`dockerd did not start: ${log.slice(-2000)}`);
    if (existsSync(sock) && (await docker(['version', '--format', '{{.Server.Version}}'])).code === 0) break;
    await sleep(100);
  }
  return {
    docker,
    stop: async () => {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([exited, sleep(15000)]);
      if (proc.exitCode === null) proc.kill('SIGKILL');
      await run('umount', ['-R', path.join(base, 'data')], {}).catch(() => undefined);
      await fs.rm(base, { recursive: true, force: true }).catch(() => undefined);
      await fs.rm(execRoot, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}
