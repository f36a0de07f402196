// The engines a benchmark compares: Berth (native), a private dockerd (+ its containerd), podman,
// and a bare runc bundle as the floor. Each start registers its own cleanup in the session (ctx):
// containers removed, processes ended, mounts, bridges and exec roots gone.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { CG } from './cleanup.mjs';
import { DOCKER, commOf, killPids, linkExists, log, must, pidsWithCmdline, run, unmountUnder, waitExit } from './proc.mjs';
import { BUSYBOX_TAR, ROOT } from './setup.mjs';

export const BERTH_BRIDGE = 'bbench0';
export const BERTH_SUBNET = '172.31.251.0/24';
export const DOCKERD_BIP = '172.30.252.1/24';
export const PODMAN_SUBNET = '172.30.253.0/24';

export function dockerEnv(sock, cfgDir) {
  const env = { ...process.env, DOCKER_HOST: `unix://${sock}`, DOCKER_CONFIG: cfgDir };
  delete env.DOCKER_CONTEXT;
  delete env.DOCKER_TLS_VERIFY;
  return env;
}

export async function waitDocker(env, proc, name, logFile, ms = 60_000) {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      const tail = await fs.readFile(logFile, 'utf8').catch(() => '');
      throw new Error(`${name} exited during start-up (${proc.exitCode ?? proc.signalCode}):\n${tail.split('\n').slice(-15).join('\n')}`);
    }
    const r = await run(DOCKER, ['version', '--format', '{{.Server.Version}}'], { env, timeoutMs: 5_000 });
    if (r.code === 0) return r.stdout.trim();
    await sleep(100);
  }
  throw new Error(`${name} did not answer within ${ms} ms`);
}

async function openLog(file) {
  const fh = await fs.open(file, 'w');
  return fh;
}

/** Berth (dist/agent.mjs) on its own data/exec root, socket and bridge. */
export async function startBerth(ctx, { bridge = BERTH_BRIDGE, subnet = BERTH_SUBNET } = {}) {
  if (linkExists(bridge)) {
    const users = pidsWithCmdline(`--bridge\0${bridge}\0`);
    if (users.length) throw new Error(`bridge ${bridge} is in use by pid ${users.join(',')} (another bench running?)`);
    log(`removing stale ${bridge} from an earlier run`);
    await run('ip', ['link', 'del', bridge]);
    await run('nft', ['delete', 'table', 'ip', bridge]);
  }
  const dir = path.join(ctx.base, 'berth');
  const dataRoot = path.join(dir, 'data');
  const execRoot = `/run/bbb${process.pid.toString(36)}`;
  const socket = path.join(execRoot, 'docker.sock');
  await fs.mkdir(dir, { recursive: true });
  const logFile = path.join(dir, 'engine.log');
  const fh = await openLog(logFile);
  const proc = spawn(process.execPath, [path.join(ROOT, 'dist/agent.mjs'), '--socket', socket, '--data-root', dataRoot, '--exec-root', execRoot, '--bridge', bridge, '--subnet', subnet], {
    stdio: ['ignore', fh.fd, fh.fd],
  });
  const env = dockerEnv(socket, path.join(dir, 'docker-config'));
  const e = { name: 'Berth', key: 'berth', proc, env, dataRoot, execRoot, logFile, pid: proc.pid };
  ctx.cleanups.push([
    'berth',
    async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        const ids = (await run(DOCKER, ['ps', '-aq'], { env, timeoutMs: 30_000 })).stdout.split('\n').filter(Boolean);
        if (ids.length) await run(DOCKER, ['rm', '-f', '-v', ...ids], { env, timeoutMs: 120_000 });
        proc.kill('SIGTERM');
        if (!(await waitExit(proc, 15_000))) {
          ctx.problems.push('Berth engine did not exit within 15 s of SIGTERM; killed');
          proc.kill('SIGKILL');
          await waitExit(proc, 5_000);
        }
      }
      // Shims outlive the engine by design; anything left of ours is ended here.
      const left = [...pidsWithCmdline(dataRoot), ...pidsWithCmdline(execRoot)].filter((p) => p !== proc.pid);
      if (left.length) {
        ctx.notes.push(`Berth: ${left.length} process(es) still alive after engine stop+rm -f (${[...new Set(left)].map((p) => `${p}:${commOf(p)}`).join(', ')}); killed`);
        await killPids(new Set(left));
        await sleep(200);
      }
      for (const id of await fs.readdir(path.join(dataRoot, 'containers')).catch(() => [])) {
        for (const ctl of await fs.readdir(CG).catch(() => [])) await fs.rmdir(`${CG}/${ctl}/berth/${id}`).catch(() => undefined);
      }
      await run('ip', ['link', 'del', bridge]);
      await run('nft', ['delete', 'table', 'ip', bridge]);
      await unmountUnder([dataRoot, execRoot]);
      await fs.rm(execRoot, { recursive: true, force: true });
      await fh.close().catch(() => undefined);
    },
  ]);
  const t0 = performance.now();
  e.version = await waitDocker(env, proc, 'Berth', logFile);
  e.startMs = performance.now() - t0;
  return e;
}

/**
 * A private dockerd with its own data/exec root, socket, pidfile, config and containerd namespace;
 * withIptables: default bridge docker0 (--bip) and iptables, else --iptables=false --bridge=none.
 */
export async function startDockerd(ctx, { withIptables, bip = DOCKERD_BIP, namespace = 'bbench' }) {
  if (withIptables && linkExists('docker0')) throw new Error('docker0 already exists on this host; not starting a second dockerd on it');
  const dir = path.join(ctx.base, withIptables ? 'dockerd' : 'dockerd-noipt');
  const dataRoot = path.join(dir, 'data');
  const execRoot = `/run/bbd${process.pid.toString(36)}${withIptables ? '' : 'n'}`;
  const socket = path.join(dir, 'docker.sock');
  await fs.mkdir(dataRoot, { recursive: true });
  await fs.writeFile(path.join(dir, 'daemon.json'), '{}\n');
  const logFile = path.join(dir, 'dockerd.log');
  const fh = await openLog(logFile);
  const args = [
    '--data-root', dataRoot,
    '--exec-root', execRoot,
    '-H', `unix://${socket}`,
    '--pidfile', path.join(dir, 'dockerd.pid'),
    '--config-file', path.join(dir, 'daemon.json'),
    '--containerd-namespace', namespace,
    '--containerd-plugins-namespace', `${namespace}-plugins`,
    '--log-level', 'warn',
  ];
  if (withIptables) args.push('--bip', bip);
  else args.push('--iptables=false', '--bridge=none');
  const proc = spawn('/usr/sbin/dockerd', args, { stdio: ['ignore', fh.fd, fh.fd] });
  const env = dockerEnv(socket, path.join(dir, 'docker-config'));
  const e = { name: 'dockerd', key: 'dockerd', proc, env, dataRoot, execRoot, logFile, pid: proc.pid, iptables: withIptables };
  ctx.cleanups.push([
    'dockerd',
    async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        const ids = (await run(DOCKER, ['ps', '-aq'], { env, timeoutMs: 30_000 })).stdout.split('\n').filter(Boolean);
        if (ids.length) await run(DOCKER, ['rm', '-f', '-v', ...ids], { env, timeoutMs: 120_000 });
        proc.kill('SIGTERM');
        if (!(await waitExit(proc, 20_000))) {
          proc.kill('SIGKILL');
          await waitExit(proc, 5_000);
        }
      }
      await sleep(300);
      const left = new Set([...pidsWithCmdline(dataRoot), ...pidsWithCmdline(execRoot)]);
      await killPids(left);
      if (left.size) await sleep(300);
      await unmountUnder([dataRoot, execRoot]);
      if (withIptables && linkExists('docker0')) await run('ip', ['link', 'del', 'docker0']);
      await fs.rm(execRoot, { recursive: true, force: true });
      await fh.close().catch(() => undefined);
    },
  ]);
  const t0 = performance.now();
  try {
    e.version = await waitDocker(env, proc, 'dockerd', logFile, 90_000);
  } catch (err) {
    // let this instance's cleanup run now, so a retry starts clean
    const [, fn] = ctx.cleanups.pop();
    await fn();
    throw err;
  }
  e.startMs = performance.now() - t0;
  return e;
}

export async function setupPodman(ctx, { subnet = PODMAN_SUBNET } = {}) {
  const dir = path.join(ctx.base, 'podman');
  const p = { root: path.join(dir, 'root'), runroot: path.join(dir, 'runroot'), tmpdir: path.join(dir, 'tmp'), net: path.join(dir, 'networks') };
  for (const d of Object.values(p)) await fs.mkdir(d, { recursive: true });
  const conf = path.join(dir, 'containers.conf');
  await fs.writeFile(
    conf,
    [
      '[containers]',
      'default_ulimits=["nofile=20000:20000","nproc=4096:4096"]',
      '',
      '[engine]',
      'runtime="runc"',
      'cgroup_manager="cgroupfs"',
      'events_logger="file"',
      `tmp_dir="${p.tmpdir}"`,
      '',
      '[network]',
      `network_config_dir="${p.net}"`,
      `default_subnet="${subnet}"`,
      '',
    ].join('\n'),
  );
  const storage = path.join(dir, 'storage.conf');
  await fs.writeFile(storage, ['[storage]', 'driver="overlay"', `graphroot="${p.root}"`, `runroot="${p.runroot}"`, ''].join('\n'));
  const env = { ...process.env, CONTAINERS_CONF: conf, CONTAINERS_STORAGE_CONF: storage };
  const g = ['--root', p.root, '--runroot', p.runroot, '--tmpdir', p.tmpdir, '--network-config-dir', p.net, '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', '--runtime', 'runc'];
  const podman = (args, o = {}) => run('podman', [...g, ...args], { env, ...o });
  const hadPodman0 = linkExists('podman0');
  ctx.cleanups.push([
    'podman',
    async () => {
      await podman(['rm', '-af', '-t', '0'], { timeoutMs: 60_000 });
      const left = new Set([...pidsWithCmdline(p.root), ...pidsWithCmdline(p.runroot)]);
      await killPids(left);
      await unmountUnder([dir]);
      if (!hadPodman0 && linkExists('podman0')) await run('ip', ['link', 'del', 'podman0']);
    },
  ]);
  return { podman, env, dir, g };
}

/** A runc bundle of the unpacked image tar (args ["true"]) for the `runc run` floor. */
export async function setupRuncBundle(ctx, { imageTar = BUSYBOX_TAR } = {}) {
  const dir = path.join(ctx.base, 'runc');
  const bundle = path.join(dir, 'bundle');
  const rootfs = path.join(bundle, 'rootfs');
  const state = path.join(dir, 'state');
  const unpack = path.join(dir, 'archive');
  await fs.mkdir(rootfs, { recursive: true });
  await fs.mkdir(state, { recursive: true });
  await fs.mkdir(unpack, { recursive: true });
  await must('tar', ['-xf', imageTar, '-C', unpack]);
  const manifest = JSON.parse(await fs.readFile(path.join(unpack, 'manifest.json'), 'utf8'));
  for (const layer of manifest[0].Layers) await must('tar', ['-xf', path.join(unpack, layer), '-C', rootfs]);
  await must('runc', ['spec'], { cwd: bundle });
  const specFile = path.join(bundle, 'config.json');
  const spec = JSON.parse(await fs.readFile(specFile, 'utf8'));
  spec.process.args = ['true'];
  spec.process.terminal = false;
  await fs.writeFile(specFile, JSON.stringify(spec, null, 2));
  ctx.cleanups.push([
    'runc',
    async () => {
      const r = await run('runc', ['--root', state, 'list', '-q']);
      for (const id of r.stdout.split('\n').filter(Boolean)) await run('runc', ['--root', state, 'delete', '-f', id]);
    },
  ]);
  let n = 0;
  return { cmd: () => ['runc', ['--root', state, 'run', '--bundle', bundle, `bb${process.pid.toString(36)}-${n++}`]] };
}
