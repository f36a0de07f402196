// Starts a real Berth engine (native mode, dist/agent.mjs) on a temporary socket, data root and
// bridge, and drives it with the real docker CLI. Each test file gets its own engine.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const DOCKER = existsSync('/usr/local/bin/docker') ? '/usr/local/bin/docker' : 'docker';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface EngineHandle {
  socket: string;
  dataRoot: string;
  execRoot: string;
  bridge: string;
  subnet: string;
  env: NodeJS.ProcessEnv;
  proc: ChildProcess;
  logs: () => string;
  docker: (args: string[], opts?: { input?: string | Buffer; timeoutMs?: number }) => Promise<RunResult>;
  /** Kill (SIGKILL) and start again on the same data root. */
  restart: (signal?: NodeJS.Signals, downMs?: number) => Promise<void>;
  stop: () => Promise<void>;
}

let counter = 0;

export async function startEngine(name: string, opts: { extraArgs?: string[] } = {}): Promise<EngineHandle> {
  const n = (process.pid % 200) + counter++;
  const base = mkdtempSync(path.join(os.tmpdir(), `berth-${name}-`));
  const execRoot = `/run/bt${process.pid.toString(36)}${counter}`;
  const h: Partial<EngineHandle> = {
    socket: path.join(execRoot, 'docker.sock'),
    dataRoot: path.join(base, 'data'),
    execRoot,
    bridge: `bt${process.pid.toString(36)}${counter}`.slice(0, 15),
    subnet: `172.31.${n % 250}.0/24`,
  };
  let out = '';
  const launch = async () => {
    const mark = out.length;
    const proc = spawn(process.execPath, [path.join(ROOT, 'dist/agent.mjs'), '--socket', h.socket!, '--data-root', h.dataRoot!, '--exec-root', execRoot, '--bridge', h.bridge!, '--subnet', h.subnet!, '--config-file', path.join(base, 'daemon.json'), ...(opts.extraArgs ?? [])], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout!.on('data', (b) => (out += b));
    proc.stderr!.on('data', (b) => (out += b));
    h.proc = proc;
    for (let i = 0; i < 300; i++) {
      if (proc.exitCode !== null) throw new Error(`engine exited: ${out}`);
      if (out.slice(mark).includes('"socket"') && existsSync(h.socket!)) return;
      await sleep(50);
    }
    throw new Error(`engine did not start: ${out}`);
  };
  await launch();
  h.env = { ...process.env, DOCKER_HOST: `unix://${h.socket}`, DOCKER_CONFIG: path.join(base, 'docker-config') };
  h.logs = () => out;
  // Under the tests' 60 s limit, so a hung command names itself, with what the engine said.
  h.docker = async (args, opts = {}) => {
    const r = await run(DOCKER, args, { env: h.env!, timeoutMs: 40_000, ...opts });
    if (r.code === -1) r.stderr += `\n[docker ${args.join(' ')} was killed after its timeout; engine log tail:\n${out.slice(-3000)}]`;
    return r;
  };
  h.restart = async (signal = 'SIGKILL', downMs = 0) => {
    const p = h.proc!;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill(signal);
    await exited;
    await sleep(downMs);
    await launch();
  };
  h.stop = async () => {
    const ids = (await h.docker!(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
    if (ids.length) await h.docker!(['rm', '-f', '-v', ...ids]);
    const p = h.proc!;
    if (p.exitCode === null) {
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await exited;
    }
    // Shims outlive the engine by design: anything a failed test left running is ended here.
    await run('pkill', ['-9', '-f', h.dataRoot!], {}).catch(() => undefined);
    await sleep(100);
    for (const id of await fs.readdir(path.join(h.dataRoot!, 'containers')).catch(() => [] as string[])) {
      await run('ip', ['netns', 'del', `berth-${id.slice(0, 12)}`], {}).catch(() => undefined);
      for (const ctl of await fs.readdir('/sys/fs/cgroup').catch(() => [] as string[])) {
        await fs.rmdir(`/sys/fs/cgroup/${ctl}/berth/${id}`).catch(() => undefined);
      }
    }
    await run('ip', ['link', 'del', h.bridge!], {}).catch(() => undefined);
    await run('nft', ['delete', 'table', 'ip', h.bridge!], {}).catch(() => undefined);
    await run('umount', ['-R', h.dataRoot!], {}).catch(() => undefined);
    await fs.rm(base, { recursive: true, force: true }).catch(() => undefined);
    await fs.rm(execRoot, { recursive: true, force: true }).catch(() => undefined);
  };
  return h as EngineHandle;
}

export function run(file: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string | Buffer; timeoutMs?: number }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    // The child may exit without reading its input (e.g. a failed `docker run -i`).
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

/**
 * Kernel objects a failed request must not leave behind, scoped to one engine (mounts under its
 * data root, veths on its bridge, rules in its nft table) and to the given container IDs (netns,
 * cgroups), so other engines on the machine cannot disturb the count.
 */
export async function snapshotHost(e: EngineHandle, ids: string[] = []) {
  const mounts = (await fs.readFile('/proc/self/mountinfo', 'utf8')).split('\n').filter((l) => l.includes(e.dataRoot)).length;
  const netns = ids.filter((id) => existsSync(`/run/netns/berth-${id.slice(0, 12)}`)).length;
  const links = (await run('ip', ['-o', 'link', 'show', 'master', e.bridge], {})).stdout.split('\n').filter(Boolean).length;
  const cgroups = ids.filter((id) => existsSync(`/sys/fs/cgroup/memory/berth/${id}`) || existsSync(`/sys/fs/cgroup/berth/${id}`)).length;
  const rules = (await run('nft', ['list', 'table', 'ip', e.bridge], {})).stdout.split('\n').length;
  return { mounts, netns, links, cgroups, rules };
}

/** Every container ID the engine mentioned in events since `sinceS` (unix seconds). */
export async function containerIdsSince(e: EngineHandle, sinceS: number): Promise<string[]> {
  const r = await e.docker(['events', '--since', String(sinceS), '--until', String(Date.now() / 1000 + 1), '--filter', 'type=container', '--format', '{{.Actor.ID}}']);
  return [...new Set(r.stdout.split('\n').filter((l) => /^[0-9a-f]{64}$/.test(l)))];
}
