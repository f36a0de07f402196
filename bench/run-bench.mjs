#!/usr/bin/env node
// Berth against its peers, measured side by side in one run on the same fixture image:
// Berth (native engine, dist/agent.mjs), a private dockerd 20.10 (with its own containerd), podman
// 4.3 and bare `runc run` as the floor. Prints a markdown table with ratios and writes it to
// bench/.work/results.md. Everything it starts is torn down in `finally`, including bridges and
// the iptables rules dockerd/netavark add. Needs root. Usage:
//   node bench/run-bench.mjs [--runs N] [--quick] [--no-podman]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, promises as fs, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

const ROOT = path.resolve(import.meta.dirname, '..');
const WORK = path.join(ROOT, 'bench/.work');
const FIXTURES = path.join(ROOT, 'test/.work/fixtures');
const BUSYBOX_TAR = path.join(FIXTURES, 'busybox.tar');
const IMAGE = 'berth-test/busybox:latest';
const DOCKER = existsSync('/usr/local/bin/docker') ? '/usr/local/bin/docker' : 'docker';
const BERTH_BRIDGE = 'bbench0';
const BERTH_SUBNET = '172.31.251.0/24';
const DOCKERD_BIP = '172.30.252.1/24';
const PODMAN_SUBNET = '172.30.253.0/24';
// Markers of firewall state that belongs to the peers started here; only such rules are removed.
const FW_MARKERS = [/DOCKER/, /NETAVARK/, /\bCNI-/, /docker0/, /podman0/, /172\.30\.25[23]\./];

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string' },
    quick: { type: 'boolean', default: false },
    'no-podman': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  console.log('usage: node bench/run-bench.mjs [--runs N] [--quick] [--no-podman]');
  process.exit(0);
}
const RUNS = opts.runs ? Math.max(1, Number.parseInt(opts.runs, 10)) : opts.quick ? 5 : 20;
const WARMUP = opts.quick ? 1 : 2;
const PARALLEL = 20;
const PARALLEL_ROUNDS = opts.quick ? 1 : 3;
const PS_CONTAINERS = 100;

// ---------------------------------------------------------------------------------------------
// helpers

function run(file, args, { env, timeoutMs = 60_000, input, cwd } = {}) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let child;
    try {
      child = spawn(file, args, { env: env ?? process.env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (e) {
      resolve({ code: -1, stdout: '', stderr: String(e), ms: 0 });
      return;
    }
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    const timer = setTimeout(() => {
      stderr += `\n[bench] killed after ${timeoutMs} ms`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      stderr += String(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr, ms: performance.now() - t0 });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

async function must(file, args, o) {
  const r = await run(file, args, o);
  if (r.code !== 0) throw new Error(`${path.basename(file)} ${args.join(' ')} failed (${r.code}): ${(r.stderr || r.stdout).trim().slice(0, 600)}`);
  return r;
}

const log = (...a) => console.error('[bench]', ...a);

function stats(xs) {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => {
    const i = (s.length - 1) * p;
    const lo = Math.floor(i);
    const hi = Math.ceil(i);
    return s[lo] + (s[hi] - s[lo]) * (i - lo);
  };
  return { n: s.length, min: s[0], p10: q(0.1), median: q(0.5), p90: q(0.9), max: s[s.length - 1] };
}

function vmRssKb(pid) {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** pids of all processes whose command line contains `needle` (a unique temp path of ours). */
function pidsWithCmdline(needle) {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(needle)) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

function childrenOf(pid) {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

function commOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

async function killPids(pids, signal = 'SIGKILL') {
  for (const p of pids) {
    try {
      process.kill(p, signal);
    } catch {
      /* gone */
    }
  }
}

async function waitExit(proc, ms) {
  if (proc.exitCode !== null || proc.signalCode !== null) return true;
  return Promise.race([new Promise((r) => proc.once('exit', () => r(true))), sleep(ms).then(() => false)]);
}

function mountsUnder(prefixes) {
  const lines = readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  const mps = [];
  for (const l of lines) {
    const mp = l.split(' ')[4];
    if (mp && prefixes.some((p) => mp === p || mp.startsWith(p + '/'))) mps.push(mp.replace(/\\040/g, ' '));
  }
  return mps.sort((a, b) => b.length - a.length);
}

async function unmountUnder(prefixes) {
  for (let pass = 0; pass < 3; pass++) {
    const mps = mountsUnder(prefixes);
    if (!mps.length) return;
    for (const mp of mps) await run('umount', ['-l', mp], { timeoutMs: 10_000 });
  }
}

const linkExists = (name) => existsSync(`/sys/class/net/${name}`);

const fmtMs = (v) => (v == null ? '—' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(v < 10 ? 1 : 0)} ms`);
const fmtMb = (kb) => (kb == null ? '—' : `${(kb / 1024).toFixed(1)} MB`);
const ratio = (a, b) => (a == null || b == null || b === 0 ? '—' : `${(a / b).toFixed(2)}×`);

// ---------------------------------------------------------------------------------------------
// host firewall / cgroup snapshots, so cleanup removes exactly what the peers added

async function iptablesState(bin) {
  const st = {};
  for (const t of ['filter', 'nat', 'mangle', 'raw']) {
    const r = await run(bin, ['-w', '-t', t, '-S'], { timeoutMs: 15_000 });
    st[t] = r.code === 0 ? r.stdout.split('\n').filter(Boolean) : null;
  }
  return st;
}

async function nftTables() {
  const r = await run('nft', ['list', 'tables'], { timeoutMs: 15_000 });
  return r.code === 0 ? r.stdout.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('table ')) : [];
}

function tokenize(line) {
  const out = [];
  let cur = '';
  let q = false;
  let has = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') {
      q = !q;
      has = true;
    } else if (c === '\\' && q && i + 1 < line.length) {
      cur += line[++i];
    } else if (c === ' ' && !q) {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else cur += c;
  }
  if (has || cur) out.push(cur);
  return out;
}

/** Remove the rules and chains (matching FW_MARKERS) that appeared since `before`. */
async function restoreIptables(bin, before) {
  const after = await iptablesState(bin);
  const notes = [];
  for (const t of Object.keys(after)) {
    if (!after[t]) continue;
    const prev = new Set(before[t] ?? []);
    const added = after[t].filter((l) => !prev.has(l) && FW_MARKERS.some((m) => m.test(l)));
    const rules = added.filter((l) => l.startsWith('-A '));
    const chains = added.filter((l) => l.startsWith('-N ')).map((l) => l.slice(3).trim());
    for (const r of rules.reverse()) {
      const tok = tokenize(r);
      const d = await run(bin, ['-w', '-t', t, '-D', ...tok.slice(1)], { timeoutMs: 15_000 });
      if (d.code !== 0) notes.push(`${bin} -t ${t} -D ${tok.slice(1).join(' ')}: ${d.stderr.trim()}`);
    }
    for (const c of chains) await run(bin, ['-w', '-t', t, '-F', c], { timeoutMs: 15_000 });
    for (const c of chains) {
      const d = await run(bin, ['-w', '-t', t, '-X', c], { timeoutMs: 15_000 });
      if (d.code !== 0) notes.push(`${bin} -t ${t} -X ${c}: ${d.stderr.trim()}`);
    }
  }
  return notes;
}

/** Delete iptables-nft tables that did not exist before and are now empty (only policies left). */
async function dropEmptyNewTables(tablesBefore) {
  const now = await nftTables();
  const prev = new Set(tablesBefore);
  for (const line of now) {
    if (prev.has(line)) continue;
    const [, family, name] = line.split(/\s+/);
    if (!['ip', 'ip6'].includes(family) || !['filter', 'nat', 'mangle', 'raw'].includes(name)) continue;
    const bin = family === 'ip' ? 'iptables' : 'ip6tables';
    const r = await run(bin, ['-w', '-t', name, '-S'], { timeoutMs: 15_000 });
    if (r.code === 0 && r.stdout.split('\n').filter(Boolean).every((l) => /^-P \S+ ACCEPT$/.test(l))) {
      await run('nft', ['delete', 'table', family, name], { timeoutMs: 15_000 });
    }
  }
}

const CG = '/sys/fs/cgroup';
function cgroupDirs(tops) {
  const out = [];
  const walk = (d, depth) => {
    out.push(d);
    if (depth > 4) return;
    let ents = [];
    try {
      ents = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of ents) if (e.isDirectory()) walk(path.join(d, e.name), depth + 1);
  };
  let ctls = [];
  try {
    ctls = readdirSync(CG);
  } catch {
    return out;
  }
  for (const c of ctls) for (const t of tops) if (existsSync(path.join(CG, c, t))) walk(path.join(CG, c, t), 0);
  return out;
}
async function removeNewCgroups(before, tops) {
  const prev = new Set(before);
  const fresh = cgroupDirs(tops).filter((d) => !prev.has(d)).sort((a, b) => b.length - a.length);
  for (const d of fresh) await fs.rmdir(d).catch(() => undefined);
}

// ---------------------------------------------------------------------------------------------
// setup: build + fixtures

async function ensureBuilt() {
  if (!existsSync(path.join(ROOT, 'dist/agent.mjs')) || !existsSync(path.join(ROOT, 'dist/shim.mjs'))) {
    log('dist/ missing: building');
    await must(process.execPath, [path.join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, timeoutMs: 180_000 });
  }
  if (existsSync(BUSYBOX_TAR) && existsSync(path.join(FIXTURES, 'fixtures.json'))) return;
  log('fixtures missing: building them with test/fixtures/build-fixtures.ts');
  const { build } = await import('esbuild');
  const res = await build({
    entryPoints: [path.join(ROOT, 'test/fixtures/build-fixtures.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    external: ['node-pty'],
    logLevel: 'warning',
    banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
  });
  await fs.mkdir(WORK, { recursive: true });
  const tmp = path.join(WORK, `build-fixtures.${process.pid}.mjs`);
  await fs.writeFile(tmp, res.outputFiles[0].contents);
  try {
    const mod = await import(pathToFileURL(tmp).href);
    await mod.buildFixtures(FIXTURES);
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// main

const cleanups = [];
const notes = [];
const problems = [];
const versions = {};
let base;

async function cleanupAll() {
  while (cleanups.length) {
    const [name, fn] = cleanups.pop();
    try {
      await fn();
    } catch (e) {
      log(`cleanup ${name} failed: ${e.message}`);
    }
  }
}

// On a signal: stop starting new work (checkAbort throws in the measuring code) and run the one
// shared cleanup; the `finally` at the bottom waits for that same cleanup before exiting.
let interrupted = false;
let cleanupPromise = null;
const cleanupOnce = () => (cleanupPromise ??= cleanupAll());
function checkAbort() {
  if (interrupted) throw new Error('interrupted');
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    if (interrupted) {
      log(`${sig} again: exiting without finishing cleanup`);
      process.exit(130);
    }
    interrupted = true;
    log(`${sig}: cleaning up`);
    cleanupOnce().finally(() => process.exit(130));
  });
}

function dockerEnv(sock, cfgDir) {
  const env = { ...process.env, DOCKER_HOST: `unix://${sock}`, DOCKER_CONFIG: cfgDir };
  delete env.DOCKER_CONTEXT;
  delete env.DOCKER_TLS_VERIFY;
  return env;
}

async function waitDocker(env, proc, name, logFile, ms = 60_000) {
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

async function startBerth() {
  if (linkExists(BERTH_BRIDGE)) {
    const users = pidsWithCmdline(`--bridge\0${BERTH_BRIDGE}\0`);
    if (users.length) throw new Error(`bridge ${BERTH_BRIDGE} is in use by pid ${users.join(',')} (another bench running?)`);
    log(`removing stale ${BERTH_BRIDGE} from an earlier run`);
    await run('ip', ['link', 'del', BERTH_BRIDGE]);
    await run('nft', ['delete', 'table', 'ip', BERTH_BRIDGE]);
  }
  const dir = path.join(base, 'berth');
  const dataRoot = path.join(dir, 'data');
  const execRoot = `/run/bbb${process.pid.toString(36)}`;
  const socket = path.join(execRoot, 'docker.sock');
  await fs.mkdir(dir, { recursive: true });
  const logFile = path.join(dir, 'engine.log');
  const fh = await openLog(logFile);
  const proc = spawn(process.execPath, [path.join(ROOT, 'dist/agent.mjs'), '--socket', socket, '--data-root', dataRoot, '--exec-root', execRoot, '--bridge', BERTH_BRIDGE, '--subnet', BERTH_SUBNET], {
    stdio: ['ignore', fh.fd, fh.fd],
  });
  const env = dockerEnv(socket, path.join(dir, 'docker-config'));
  const e = { name: 'Berth', key: 'berth', proc, env, dataRoot, execRoot, logFile, pid: proc.pid };
  cleanups.push([
    'berth',
    async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        const ids = (await run(DOCKER, ['ps', '-aq'], { env, timeoutMs: 30_000 })).stdout.split('\n').filter(Boolean);
        if (ids.length) await run(DOCKER, ['rm', '-f', '-v', ...ids], { env, timeoutMs: 120_000 });
        proc.kill('SIGTERM');
        if (!(await waitExit(proc, 15_000))) {
          problems.push('Berth engine did not exit within 15 s of SIGTERM; killed');
          proc.kill('SIGKILL');
          await waitExit(proc, 5_000);
        }
      }
      // Shims outlive the engine by design; anything left of ours is ended here.
      const left = [...pidsWithCmdline(dataRoot), ...pidsWithCmdline(execRoot)].filter((p) => p !== proc.pid);
      if (left.length) {
        notes.push(`Berth: ${left.length} process(es) still alive after engine stop+rm -f (${[...new Set(left)].map((p) => `${p}:${commOf(p)}`).join(', ')}); killed`);
        await killPids(new Set(left));
        await sleep(200);
      }
      for (const id of await fs.readdir(path.join(dataRoot, 'containers')).catch(() => [])) {
        for (const ctl of await fs.readdir(CG).catch(() => [])) await fs.rmdir(`${CG}/${ctl}/berth/${id}`).catch(() => undefined);
      }
      await run('ip', ['link', 'del', BERTH_BRIDGE]);
      await run('nft', ['delete', 'table', 'ip', BERTH_BRIDGE]);
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

async function startDockerd(withIptables) {
  if (linkExists('docker0')) throw new Error('docker0 already exists on this host; not starting a second dockerd on it');
  const dir = path.join(base, withIptables ? 'dockerd' : 'dockerd-noipt');
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
    '--containerd-namespace', 'bbench',
    '--containerd-plugins-namespace', 'bbench-plugins',
    '--log-level', 'warn',
  ];
  if (withIptables) args.push('--bip', DOCKERD_BIP);
  else args.push('--iptables=false', '--bridge=none');
  const proc = spawn('/usr/sbin/dockerd', args, { stdio: ['ignore', fh.fd, fh.fd] });
  const env = dockerEnv(socket, path.join(dir, 'docker-config'));
  const e = { name: 'dockerd', key: 'dockerd', proc, env, dataRoot, execRoot, logFile, pid: proc.pid, iptables: withIptables };
  cleanups.push([
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
    const [, fn] = cleanups.pop();
    await fn();
    throw err;
  }
  e.startMs = performance.now() - t0;
  return e;
}

async function setupPodman() {
  const dir = path.join(base, 'podman');
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
      `default_subnet="${PODMAN_SUBNET}"`,
      '',
    ].join('\n'),
  );
  const storage = path.join(dir, 'storage.conf');
  await fs.writeFile(storage, ['[storage]', 'driver="overlay"', `graphroot="${p.root}"`, `runroot="${p.runroot}"`, ''].join('\n'));
  const env = { ...process.env, CONTAINERS_CONF: conf, CONTAINERS_STORAGE_CONF: storage };
  const g = ['--root', p.root, '--runroot', p.runroot, '--tmpdir', p.tmpdir, '--network-config-dir', p.net, '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', '--runtime', 'runc'];
  const podman = (args, o = {}) => run('podman', [...g, ...args], { env, ...o });
  const hadPodman0 = linkExists('podman0');
  cleanups.push([
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

async function setupRuncBundle() {
  const dir = path.join(base, 'runc');
  const bundle = path.join(dir, 'bundle');
  const rootfs = path.join(bundle, 'rootfs');
  const state = path.join(dir, 'state');
  const unpack = path.join(dir, 'archive');
  await fs.mkdir(rootfs, { recursive: true });
  await fs.mkdir(state, { recursive: true });
  await fs.mkdir(unpack, { recursive: true });
  await must('tar', ['-xf', BUSYBOX_TAR, '-C', unpack]);
  const manifest = JSON.parse(await fs.readFile(path.join(unpack, 'manifest.json'), 'utf8'));
  for (const layer of manifest[0].Layers) await must('tar', ['-xf', path.join(unpack, layer), '-C', rootfs]);
  await must('runc', ['spec'], { cwd: bundle });
  const specFile = path.join(bundle, 'config.json');
  const spec = JSON.parse(await fs.readFile(specFile, 'utf8'));
  spec.process.args = ['true'];
  spec.process.terminal = false;
  await fs.writeFile(specFile, JSON.stringify(spec, null, 2));
  cleanups.push([
    'runc',
    async () => {
      const r = await run('runc', ['--root', state, 'list', '-q']);
      for (const id of r.stdout.split('\n').filter(Boolean)) await run('runc', ['--root', state, 'delete', '-f', id]);
    },
  ]);
  let n = 0;
  return { cmd: () => ['runc', ['--root', state, 'run', '--bundle', bundle, `bb${process.pid.toString(36)}-${n++}`]] };
}

// Interleaved timing: each iteration runs every participant once, in rotating order, so drift and
// background noise land on all of them alike.
async function timeInterleaved(parts, runs, warmup) {
  const res = Object.fromEntries(parts.map((p) => [p.key, { ms: [], fails: 0, err: '' }]));
  for (let i = -warmup; i < runs; i++) {
    for (let j = 0; j < parts.length; j++) {
      checkAbort();
      const p = parts[(i + warmup + j) % parts.length];
      const [file, args] = p.cmd();
      const r = await run(file, args, { env: p.env, timeoutMs: 60_000 });
      if (i < 0) continue;
      if (r.code === 0 && (!p.check || p.check(r))) res[p.key].ms.push(r.ms);
      else {
        res[p.key].fails++;
        if (!res[p.key].err) res[p.key].err = `exit ${r.code}: ${(r.stderr || r.stdout).trim().slice(0, 300)}`;
      }
    }
  }
  return Object.fromEntries(Object.entries(res).map(([k, v]) => [k, { ...v, stats: stats(v.ms) }]));
}

async function parallelRun(e) {
  checkAbort();
  const t0 = performance.now();
  const runs = await Promise.all(
    Array.from({ length: PARALLEL }, () => run(DOCKER, ['run', '-d', '--pull=never', IMAGE, 'sleep', '60'], { env: e.env, timeoutMs: 120_000 })),
  );
  const runsDone = performance.now() - t0;
  const failed = runs.filter((r) => r.code !== 0);
  let count = 0;
  let allUp = null;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const r = await run(DOCKER, ['ps', '-q'], { env: e.env, timeoutMs: 30_000 });
    count = r.stdout.split('\n').filter(Boolean).length;
    if (count >= PARALLEL) {
      allUp = performance.now() - t0;
      break;
    }
    if (failed.length) break;
    await sleep(25);
  }
  const ids = runs.map((r) => r.stdout.trim()).filter(Boolean);
  const tr = performance.now();
  const rm = await run(DOCKER, ['rm', '-f', ...ids], { env: e.env, timeoutMs: 180_000 });
  const rmMs = performance.now() - tr;
  const leftover = (await run(DOCKER, ['ps', '-aq'], { env: e.env })).stdout.split('\n').filter(Boolean);
  if (leftover.length) await run(DOCKER, ['rm', '-f', ...leftover], { env: e.env, timeoutMs: 180_000 });
  return {
    ok: failed.length === 0 && allUp != null,
    ms: allUp,
    runsDone,
    rmMs,
    rmOk: rm.code === 0,
    failed: failed.length,
    running: count,
    err: failed[0] ? (failed[0].stderr || failed[0].stdout).trim().slice(0, 300) : allUp == null ? `only ${count}/${PARALLEL} running` : '',
  };
}

async function createMany(e, n, conc = 4) {
  const t0 = performance.now();
  let i = 0;
  let fails = 0;
  let err = '';
  const worker = async () => {
    while (i < n) {
      checkAbort();
      i++;
      const r = await run(DOCKER, ['create', '--pull=never', IMAGE, 'true'], { env: e.env });
      if (r.code !== 0) {
        fails++;
        err ||= r.stderr.trim().slice(0, 300);
      }
    }
  };
  await Promise.all(Array.from({ length: conc }, worker));
  return { ms: performance.now() - t0, fails, err };
}

async function main() {
  if (process.getuid?.() !== 0) throw new Error('run as root (starts engines, bridges and runc)');
  const started = performance.now();
  await ensureBuilt();
  await fs.mkdir(WORK, { recursive: true });
  base = mkdtempSync(path.join(os.tmpdir(), 'bbench-'));
  cleanups.push(['temp dirs', async () => {
    await unmountUnder([base]);
    await fs.rm(base, { recursive: true, force: true });
  }]);

  // snapshot host state that peers change
  const ipt4 = await iptablesState('iptables');
  const ipt6 = await iptablesState('ip6tables');
  const tables0 = await nftTables();
  const cg0 = cgroupDirs(['docker', 'libpod_parent']);
  cleanups.push(['firewall+cgroups', async () => {
    const n4 = await restoreIptables('iptables', ipt4);
    const n6 = await restoreIptables('ip6tables', ipt6);
    await dropEmptyNewTables(tables0);
    for (const n of [...n4, ...n6]) notes.push(`firewall cleanup: ${n}`);
    await removeNewCgroups(cg0, ['docker', 'libpod_parent']);
  }]);

  versions.cli = (await run(DOCKER, ['--version'])).stdout.trim();
  versions.kernel = os.release();
  versions.runc = (await run('runc', ['--version'])).stdout.split('\n')[0];
  versions.podman = (await run('podman', ['--version'])).stdout.trim();

  // --- engines
  log('starting Berth');
  const berth = await startBerth();
  log(`Berth ${berth.version} up in ${fmtMs(berth.startMs)}`);
  let dockerd = null;
  try {
    log('starting dockerd (default bridge, iptables on)');
    dockerd = await startDockerd(true);
    notes.push(`dockerd: default bridge networking (docker0, --bip ${DOCKERD_BIP}, iptables on)`);
  } catch (err) {
    log(`dockerd with bridge/iptables failed: ${err.message.split('\n')[0]}; retrying with --iptables=false --bridge=none`);
    notes.push(`dockerd: bridge networking failed (${err.message.split('\n')[0]}); measured with --iptables=false --bridge=none, so its containers get no network`);
    try {
      dockerd = await startDockerd(false);
    } catch (err2) {
      problems.push(`dockerd could not be started: ${err2.message}`);
      dockerd = null;
    }
  }
  if (dockerd) log(`dockerd ${dockerd.version} up in ${fmtMs(dockerd.startMs)}`);
  versions.dockerd = dockerd?.version;
  versions.berth = berth.version;

  // --- load the fixture
  for (const e of [berth, dockerd].filter(Boolean)) {
    const r = await run(DOCKER, ['load', '-i', BUSYBOX_TAR], { env: e.env, timeoutMs: 120_000 });
    e.loadMs = r.ms;
    if (r.code !== 0) throw new Error(`${e.name}: docker load failed: ${r.stderr.trim()}`);
  }
  let podman = null;
  if (opts['no-podman']) notes.push('podman: skipped (--no-podman)');
  else {
    try {
      podman = await setupPodman();
      const info = await podman.podman(['info', '--format', '{{.Host.NetworkBackend}}'], { timeoutMs: 60_000 });
      if (info.code !== 0) throw new Error(`podman info: ${(info.stderr || info.stdout).trim()}`);
      notes.push(`podman: rootful, runc, cgroupfs, own --root/--runroot/--tmpdir, network backend ${info.stdout.trim()} (default network ${PODMAN_SUBNET})`);
      const l = await podman.podman(['load', '-i', BUSYBOX_TAR], { timeoutMs: 120_000 });
      if (l.code !== 0) throw new Error(`podman load: ${(l.stderr || l.stdout).trim()}`);
      const t = await podman.podman(['run', '--rm', '--pull=never', IMAGE, 'true'], { timeoutMs: 60_000 });
      if (t.code !== 0) throw new Error(`podman run: ${(t.stderr || t.stdout).trim()}`);
    } catch (err) {
      notes.push(`podman: not measured — ${err.message.slice(0, 400)}`);
      podman = null;
    }
  }
  const runc = await setupRuncBundle();
  {
    const [f, a] = runc.cmd();
    const r = await run(f, a);
    if (r.code !== 0) throw new Error(`runc floor does not run: ${r.stderr.trim()}`);
  }

  // --- what network each engine gives a container (so the comparison is like for like)
  const netProbe = ['run', '--rm', '--pull=never', IMAGE, 'sh', '-c', 'ip -4 -o addr show eth0 2>/dev/null | awk \'{print $4}\'; true'];
  for (const [name, r] of [
    ['Berth', await run(DOCKER, netProbe, { env: berth.env })],
    ...(dockerd ? [['dockerd', await run(DOCKER, netProbe, { env: dockerd.env })]] : []),
    ...(podman ? [['podman', await run('podman', [...podman.g, ...netProbe], { env: podman.env })]] : []),
  ]) {
    notes.push(`${name} container eth0: ${r.code === 0 ? r.stdout.trim() || 'none' : `probe failed: ${r.stderr.trim().slice(0, 200)}`}`);
  }

  // --- idle RSS, after start-up and fixture load
  await sleep(2000);
  const rss = { berth: vmRssKb(berth.pid) };
  const berthKids = childrenOf(berth.pid);
  if (berthKids.length) notes.push(`Berth engine has ${berthKids.length} child process(es) at idle: ${berthKids.map((p) => `${commOf(p)}(${fmtMb(vmRssKb(p))})`).join(', ')}`);
  if (dockerd) {
    rss.dockerd = vmRssKb(dockerd.pid);
    const ctrd = childrenOf(dockerd.pid).filter((p) => commOf(p) === 'containerd');
    rss.containerd = ctrd.length ? ctrd.reduce((s, p) => s + (vmRssKb(p) ?? 0), 0) : null;
  }
  log(`idle RSS: Berth ${fmtMb(rss.berth)}, dockerd ${fmtMb(rss.dockerd)} + containerd ${fmtMb(rss.containerd)}`);

  // --- docker run --rm true
  log(`docker run --rm … true: ${RUNS} runs each (+${WARMUP} warm-up), interleaved`);
  const parts = [
    { key: 'berth', env: berth.env, cmd: () => [DOCKER, ['run', '--rm', '--pull=never', IMAGE, 'true']] },
    ...(dockerd ? [{ key: 'dockerd', env: dockerd.env, cmd: () => [DOCKER, ['run', '--rm', '--pull=never', IMAGE, 'true']] }] : []),
    ...(podman ? [{ key: 'podman', env: podman.env, cmd: () => ['podman', [...podman.g, 'run', '--rm', '--pull=never', IMAGE, 'true']] }] : []),
    { key: 'runc', cmd: runc.cmd },
  ];
  const runRm = await timeInterleaved(parts, RUNS, WARMUP);
  for (const [k, v] of Object.entries(runRm)) {
    log(`  ${k}: median ${fmtMs(v.stats?.median)} (p10 ${fmtMs(v.stats?.p10)}, p90 ${fmtMs(v.stats?.p90)})${v.fails ? `, ${v.fails} failed: ${v.err}` : ''}`);
    if (v.fails) problems.push(`${k}: ${v.fails}/${RUNS} \`run --rm true\` failed — ${v.err}`);
  }
  // leftovers after --rm
  for (const e of [berth, dockerd].filter(Boolean)) {
    const left = (await run(DOCKER, ['ps', '-aq'], { env: e.env })).stdout.split('\n').filter(Boolean);
    if (left.length) problems.push(`${e.name}: ${left.length} container(s) still listed after ${RUNS + WARMUP} \`docker run --rm\``);
  }

  // --- API round trip baseline: `docker version` (CLI start-up + one request)
  const ver = await timeInterleaved(
    [berth, dockerd].filter(Boolean).map((e) => ({ key: e.key, env: e.env, cmd: () => [DOCKER, ['version', '--format', '{{.Server.Version}}']] })),
    RUNS,
    WARMUP,
  );

  // --- docker ps -a with 100 containers
  const ps = {};
  const creates = {};
  for (const e of [berth, dockerd].filter(Boolean)) {
    log(`${e.name}: docker create ×${PS_CONTAINERS}`);
    creates[e.key] = await createMany(e, PS_CONTAINERS);
    if (creates[e.key].fails) problems.push(`${e.name}: ${creates[e.key].fails}/${PS_CONTAINERS} \`docker create\` failed — ${creates[e.key].err}`);
    const n = (await run(DOCKER, ['ps', '-aq'], { env: e.env })).stdout.split('\n').filter(Boolean).length;
    if (n !== PS_CONTAINERS) problems.push(`${e.name}: \`docker ps -aq\` lists ${n} containers after creating ${PS_CONTAINERS}`);
  }
  log(`docker ps -a: ${RUNS} runs each, interleaved`);
  const psParts = [berth, dockerd].filter(Boolean).map((e) => ({
    key: e.key,
    env: e.env,
    cmd: () => [DOCKER, ['ps', '-a']],
    check: (r) => r.stdout.trim().split('\n').length === PS_CONTAINERS + 1,
  }));
  Object.assign(ps, await timeInterleaved(psParts, RUNS, WARMUP));
  for (const [k, v] of Object.entries(ps)) {
    log(`  ${k}: median ${fmtMs(v.stats?.median)}${v.fails ? `, ${v.fails} failed: ${v.err}` : ''}`);
    if (v.fails) problems.push(`${k}: ${v.fails}/${RUNS} \`docker ps -a\` failed or listed the wrong number of rows — ${v.err}`);
  }
  const rmAll = {};
  for (const e of [berth, dockerd].filter(Boolean)) {
    const ids = (await run(DOCKER, ['ps', '-aq'], { env: e.env })).stdout.split('\n').filter(Boolean);
    const r = await run(DOCKER, ['rm', ...ids], { env: e.env, timeoutMs: 180_000 });
    rmAll[e.key] = r.ms;
    if (r.code !== 0) problems.push(`${e.name}: \`docker rm\` of ${ids.length} created containers failed — ${r.stderr.trim().slice(0, 300)}`);
  }

  // --- 20 parallel docker run -d
  const par = { berth: [], dockerd: [] };
  for (let round = 0; round < PARALLEL_ROUNDS; round++) {
    for (const e of [berth, dockerd].filter(Boolean)) {
      checkAbort();
      log(`${e.name}: ${PARALLEL} parallel \`docker run -d … sleep 60\` (round ${round + 1}/${PARALLEL_ROUNDS})`);
      const r = await parallelRun(e);
      par[e.key].push(r);
      log(`  ${r.ok ? `all running after ${fmtMs(r.ms)}` : `FAILED: ${r.failed} failed, ${r.running} running — ${r.err}`}; rm -f took ${fmtMs(r.rmMs)}`);
      if (!r.ok) problems.push(`${e.name}: parallel run round ${round + 1}: ${r.failed}/${PARALLEL} \`docker run -d\` failed, ${r.running} running — ${r.err}`);
      if (!r.rmOk) problems.push(`${e.name}: \`docker rm -f\` of the ${PARALLEL} parallel containers failed`);
    }
  }
  const parStats = Object.fromEntries(Object.entries(par).map(([k, rs]) => [k, rs.length && rs.every((r) => r.ok) ? stats(rs.map((r) => r.ms)) : null]));
  const parRm = Object.fromEntries(Object.entries(par).map(([k, rs]) => [k, rs.length ? stats(rs.map((r) => r.rmMs)) : null]));

  // --- RSS after the whole run (all containers removed): a leak shows up here
  await sleep(1000);
  const rssAfter = { berth: vmRssKb(berth.pid), dockerd: dockerd ? vmRssKb(dockerd.pid) : null };
  if (dockerd) {
    const ctrd = childrenOf(dockerd.pid).filter((p) => commOf(p) === 'containerd');
    rssAfter.containerd = ctrd.length ? ctrd.reduce((s, p) => s + (vmRssKb(p) ?? 0), 0) : null;
  }

  // Berth's log: count warnings/errors for the report
  const berthLog = await fs.readFile(berth.logFile, 'utf8').catch(() => '');
  const bad = berthLog.split('\n').filter((l) => /"level":"(warn|error)"|\b(WARN|ERROR|Error:|Unhandled)\b/.test(l));
  if (bad.length) notes.push(`Berth engine log has ${bad.length} warn/error line(s); first: ${bad[0].slice(0, 300)}`);

  checkAbort();
  // --- report
  const med = (v) => v?.stats?.median ?? null;
  const rr = runRm;
  const rows = [
    ['`run --rm … true`, median', fmtMs(med(rr.berth)), fmtMs(med(rr.dockerd)), podman ? fmtMs(med(rr.podman)) : 'n/a', fmtMs(med(rr.runc)), ratio(med(rr.berth), med(rr.dockerd))],
    ['`run --rm … true`, p90', fmtMs(rr.berth?.stats?.p90), fmtMs(rr.dockerd?.stats?.p90), podman ? fmtMs(rr.podman?.stats?.p90) : 'n/a', fmtMs(rr.runc?.stats?.p90), ratio(rr.berth?.stats?.p90, rr.dockerd?.stats?.p90)],
    ['engine idle RSS', fmtMb(rss.berth), dockerd ? `${fmtMb(rss.dockerd)} (+ containerd ${fmtMb(rss.containerd)} = ${fmtMb((rss.dockerd ?? 0) + (rss.containerd ?? 0))})` : '—', 'n/a (no daemon)', 'n/a', ratio(rss.berth, (rss.dockerd ?? 0) + (rss.containerd ?? 0))],
    ['engine RSS after the run', fmtMb(rssAfter.berth), dockerd ? `${fmtMb(rssAfter.dockerd)} (+ containerd ${fmtMb(rssAfter.containerd)})` : '—', 'n/a', 'n/a', ratio(rssAfter.berth, (rssAfter.dockerd ?? 0) + (rssAfter.containerd ?? 0))],
    [`\`ps -a\`, ${PS_CONTAINERS} containers, median`, fmtMs(med(ps.berth)), fmtMs(med(ps.dockerd)), 'n/a', 'n/a', ratio(med(ps.berth), med(ps.dockerd))],
    [`\`create\` ×${PS_CONTAINERS} (4 at a time), total`, fmtMs(creates.berth?.ms), fmtMs(creates.dockerd?.ms), 'n/a', 'n/a', ratio(creates.berth?.ms, creates.dockerd?.ms)],
    [`\`rm\` of ${PS_CONTAINERS} created containers`, fmtMs(rmAll.berth), fmtMs(rmAll.dockerd), 'n/a', 'n/a', ratio(rmAll.berth, rmAll.dockerd)],
    [`${PARALLEL}× parallel \`run -d … sleep 60\` → all running, median of ${PARALLEL_ROUNDS}`, parStats.berth ? fmtMs(parStats.berth.median) : 'FAILED', dockerd ? (parStats.dockerd ? fmtMs(parStats.dockerd.median) : 'FAILED') : '—', 'n/a', 'n/a', ratio(parStats.berth?.median, parStats.dockerd?.median)],
    [`\`rm -f\` of those ${PARALLEL}, median`, fmtMs(parRm.berth?.median), fmtMs(parRm.dockerd?.median), 'n/a', 'n/a', ratio(parRm.berth?.median, parRm.dockerd?.median)],
    ['`docker version` (CLI + 1 API call), median', fmtMs(med(ver.berth)), fmtMs(med(ver.dockerd)), 'n/a', 'n/a', ratio(med(ver.berth), med(ver.dockerd))],
    ['engine start-up (to first API answer)', fmtMs(berth.startMs), fmtMs(dockerd?.startMs), 'n/a', 'n/a', ratio(berth.startMs, dockerd?.startMs)],
    ['`docker load` busybox.tar', fmtMs(berth.loadMs), fmtMs(dockerd?.loadMs), 'n/a', 'n/a', ratio(berth.loadMs, dockerd?.loadMs)],
  ];
  const table = ['| metric | Berth | dockerd | podman | runc floor | Berth/dockerd |', '|---|---|---|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)];

  const mark = (ok) => (ok == null ? 'n/a' : ok ? '**met**' : '**missed**');
  const runRatio = med(rr.berth) != null && med(rr.dockerd) != null ? med(rr.berth) / med(rr.dockerd) : null;
  const targets = [
    '| target | measured | status |',
    '|---|---|---|',
    `| Berth \`docker run --rm\` median ≤ 0.8× dockerd's | ${runRatio == null ? '—' : `${runRatio.toFixed(2)}× (${fmtMs(med(rr.berth))} vs ${fmtMs(med(rr.dockerd))})`} | ${mark(runRatio == null ? null : runRatio <= 0.8)} |`,
    `| Berth idle RSS ≤ 80 MB | ${fmtMb(rss.berth)} | ${mark(rss.berth == null ? null : rss.berth <= 80 * 1024)} |`,
    `| Berth \`docker ps -a\` with ${PS_CONTAINERS} containers ≤ 100 ms | ${fmtMs(med(ps.berth))} | ${mark(med(ps.berth) == null ? null : med(ps.berth) <= 100)} |`,
  ];
  const detail = ['| `run --rm … true` | n | min | p10 | median | p90 | max | failed |', '|---|---|---|---|---|---|---|---|'];
  for (const [k, v] of Object.entries(rr)) {
    const s = v.stats;
    detail.push(`| ${k} | ${s?.n ?? 0} | ${fmtMs(s?.min)} | ${fmtMs(s?.p10)} | ${fmtMs(s?.median)} | ${fmtMs(s?.p90)} | ${fmtMs(s?.max)} | ${v.fails} |`);
  }
  for (const [k, v] of Object.entries(ps)) {
    const s = v.stats;
    detail.push(`| \`ps -a\` ${k} | ${s?.n ?? 0} | ${fmtMs(s?.min)} | ${fmtMs(s?.p10)} | ${fmtMs(s?.median)} | ${fmtMs(s?.p90)} | ${fmtMs(s?.max)} | ${v.fails} |`);
  }
  const env = [
    `- ${new Date().toISOString()}, ${os.cpus().length} CPUs, kernel ${versions.kernel}; ${RUNS} timed runs per latency metric (+${WARMUP} warm-up), interleaved across engines; parallel test ${PARALLEL_ROUNDS} round(s). Times are wall clock of the whole client command (CLI start-up included, the same CLI for Berth and dockerd).`,
    `- Berth ${versions.berth} (dist/agent.mjs, bridge ${BERTH_BRIDGE} ${BERTH_SUBNET}); dockerd ${versions.dockerd ?? 'not running'}; ${versions.podman}; ${versions.runc}; ${versions.cli}.`,
    ...notes.map((n) => `- ${n}`),
  ];
  const out = [
    '## Berth vs peers',
    '',
    ...table,
    '',
    '### Targets',
    '',
    ...targets,
    '',
    '### Latency detail',
    '',
    ...detail,
    '',
    '### Run',
    '',
    ...env,
    ...(problems.length ? ['', '### Problems seen', '', ...problems.map((p) => `- ${p}`)] : []),
    '',
    `_Total bench time ${fmtMs(performance.now() - started)} (before cleanup)._`,
    '',
  ].join('\n');
  console.log('\n' + out);
  await fs.writeFile(path.join(WORK, 'results.md'), out);
  await fs.copyFile(berth.logFile, path.join(WORK, 'berth-engine.log')).catch(() => undefined);
  if (dockerd) await fs.copyFile(dockerd.logFile, path.join(WORK, 'dockerd.log')).catch(() => undefined);
  log(`wrote ${path.relative(process.cwd(), path.join(WORK, 'results.md'))}`);
}

let exitCode = 0;
try {
  await main();
} catch (err) {
  exitCode = 1;
  console.error(`[bench] FAILED: ${err.stack ?? err}`);
} finally {
  if (!interrupted) log('cleaning up');
  const before = notes.length;
  await cleanupOnce();
  for (const n of notes.slice(before)) log(`cleanup: ${n}`);
  const leftovers = [BERTH_BRIDGE, 'docker0'].filter(linkExists);
  if (leftovers.length) log(`warning: link(s) still present after cleanup: ${leftovers.join(', ')}`);
}
process.exit(interrupted ? 130 : exitCode);
