#!/usr/bin/env node
// The VM product path, measured against its floors in one run: `berth start` (cold: fresh
// BERTH_HOME; warm: again after `berth stop`) against the same kernel booting a busybox init that
// powers off at once (vm-image/boot-smoke.mjs --floor), with a per-phase breakdown from the serial
// markers; the image's size; QEMU's idle RSS with a 2 GiB guest; `docker run --rm … true` through
// the VM against the native engine; and download throughput through a published port against the
// host's loopback. One QEMU at a time. Writes bench/.work/vm-results.md. Needs root.
//   node bench/vm-bench.mjs [--boots N] [--runs N] [--payload-mb N] [--quick]
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { BERTH_CLI, IMAGE_DIR, bootFloor, createVmHome, ensureVmImage, foreignQemus, readManifest } from './lib/berth-vm.mjs';
import { createSession, guardHostState, makeTempBase, runMain } from './lib/cleanup.mjs';
import { stats, timeInterleaved } from './lib/measure.mjs';
import { startBerth } from './lib/peers.mjs';
import { DOCKER, log, run, vmRssKb } from './lib/proc.mjs';
import { containerServer, hostServer, measureDownload } from './lib/port-throughput.mjs';
import { BUSYBOX_TAR, ROOT, ensureBuilt } from './lib/setup.mjs';
import { vmReport } from './lib/vm-report.mjs';

const IMAGE = 'berth-test/busybox:latest';
const NATIVE_BRIDGE = 'bbvm0';
const NATIVE_SUBNET = '172.31.248.0/24';
const CPUS = 2;
const MEMORY_MIB = 2048;
const IDLE_S = 10;

const { values: opts } = parseArgs({
  options: {
    boots: { type: 'string' },
    runs: { type: 'string' },
    'payload-mb': { type: 'string' },
    quick: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  console.log('usage: node bench/vm-bench.mjs [--boots N] [--runs N] [--payload-mb N] [--quick]\n  --boots: cold+warm boot pairs and floor boots (default 3, --quick 1)\n  --runs: timed `docker run --rm` per engine (default 10, --quick 3)\n  --payload-mb: download size (default 128, --quick 64); 3 timed downloads (--quick 1) after a warm-up');
  process.exit(0);
}
const posInt = (v, dflt) => (v == null ? dflt : Math.max(1, Number.parseInt(v, 10) || dflt));
const BOOTS = posInt(opts.boots, opts.quick ? 1 : 3);
const RUNS = posInt(opts.runs, opts.quick ? 3 : 10);
const PAYLOAD_MB = posInt(opts['payload-mb'], opts.quick ? 64 : 128);
const FETCHES = opts.quick ? 1 : 3;

const session = createSession();
const { notes, problems } = session;
const docker = (env, args, timeoutMs = 120_000) => run(DOCKER, args, { env, timeoutMs });

/** N rounds of: floor boot, cold `berth start` (new BERTH_HOME), stop, warm start; the last warm VM is left running. */
async function measureBoots() {
  const res = { floor: [], cold: [], warm: [], stop: [] };
  let vm = null;
  for (let i = 0; i < BOOTS; i++) {
    session.checkAbort();
    log(`round ${i + 1}/${BOOTS}: floor boot (vm-image/boot-smoke.mjs --floor)`);
    const f = await bootFloor();
    res.floor.push(f);
    if (!f.ok) problems.push(`floor boot ${i + 1} failed: ${f.err}`);
    else log(`  floor: QEMU start to exit ${f.ms} ms (userspace at guest t=${f.userspaceS} s)`);

    session.checkAbort();
    vm = createVmHome(session, `home${i + 1}`, { cpus: CPUS, memoryMiB: MEMORY_MIB });
    for (const kind of ['cold', 'warm']) {
      session.checkAbort();
      log(`round ${i + 1}/${BOOTS}: ${kind} \`berth start --cpus ${CPUS} --memory ${MEMORY_MIB}\` (BERTH_HOME ${vm.home})`);
      const s = await vm.start(`${kind}${i + 1}`);
      res[kind].push(s);
      if (!s.ok) throw new Error(`${kind} \`berth start\` failed: ${s.err}`);
      log(`  ${kind}: ${s.ms} ms; guest READY at t=${s.timeline.readyGuestS} s; markers ${s.timeline.markers.join(' ')}`);
      if (kind === 'warm' && i === BOOTS - 1) break;
      const st = await vm.stop(`${kind}${i + 1}`);
      res.stop.push(st);
      if (!st.ok) problems.push(`\`berth stop\` after the ${kind} boot of round ${i + 1}: ${st.err}`);
      log(`  berth stop: ${st.ms.toFixed(0)} ms`);
    }
  }
  return { res, vm };
}

/** QEMU and host agent RSS after IDLE_S seconds of idle, and what `berth status --json` says. */
async function idleMemory(vm) {
  log(`idle ${IDLE_S} s, then QEMU's VmRSS`);
  await sleep(IDLE_S * 1000);
  const st = await vm.status();
  if (st.error || st.vm?.state !== 'running') throw new Error(`berth status --json: ${st.error ?? JSON.stringify(st).slice(0, 300)}`);
  if (typeof st.vm.pid !== 'number') problems.push(`\`berth status --json\` has no numeric vm.pid: ${JSON.stringify(st.vm)}`);
  const mem = { qemuPid: st.vm.pid, qemu: vmRssKb(st.vm.pid), agent: st.hostAgentPid ? vmRssKb(st.hostAgentPid) : null, accel: st.vm.accel, guest: st.guest };
  log(`  QEMU pid ${mem.qemuPid} RSS ${(mem.qemu / 1024).toFixed(0)} MB, host agent ${mem.agent == null ? '?' : (mem.agent / 1024).toFixed(0)} MB, accel ${mem.accel}`);
  return mem;
}

/**
 * `node -e 0` in the guest (over the link) and on the host: the engine, the link and each
 * container's shim are Node processes, so this is the floor under the READY phase and every
 * `docker run`; the ratio is roughly what the emulation costs CPU-bound work here.
 */
async function measureNodeStart(vm) {
  log('node -e 0: guest (berth shell) and host, 3 each');
  const out = { guest: null, host: null };
  try {
    out.guest = stats(await vm.guestTimes('/usr/bin/node -e 0', 3));
  } catch (e) {
    problems.push(`guest \`node -e 0\`: ${e.message}`);
  }
  const host = [];
  for (let i = 0; i < 3; i++) host.push((await run(process.execPath, ['-e', '0'])).ms);
  out.host = stats(host);
  out.hostVersion = process.version;
  log(`  guest median ${out.guest?.median?.toFixed(0) ?? '—'} ms, host median ${out.host.median.toFixed(0)} ms`);
  return out;
}

/** `docker load`, `docker version` and `docker run --rm … true`: VM against native, interleaved. */
async function measureRuns(vm, native) {
  const engines = [['vm', vm.docker], ['native', native.env]];
  const load = {};
  for (const [key, env] of engines) {
    const r = await docker(env, ['load', '-i', BUSYBOX_TAR], 300_000);
    if (r.code !== 0) throw new Error(`${key}: docker load failed: ${(r.stderr || r.stdout).trim().slice(0, 300)}`);
    load[key] = r.ms;
  }
  log(`docker load: VM ${load.vm.toFixed(0)} ms, native ${load.native.toFixed(0)} ms`);
  const part = (args) => engines.map(([key, env]) => ({ key, env, cmd: () => [DOCKER, args] }));
  log(`docker version: ${RUNS} runs each (+1 warm-up), interleaved`);
  const version = await timeInterleaved(part(['version', '--format', '{{.Server.Version}}']), RUNS, 1, session.checkAbort);
  log(`docker run --rm … true: ${RUNS} runs each (+1 warm-up), interleaved`);
  const runRm = await timeInterleaved(part(['run', '--rm', '--pull=never', IMAGE, 'true']), RUNS, 1, session.checkAbort);
  for (const [what, r] of [['`docker version`', version], ['`docker run --rm … true`', runRm]]) {
    for (const [k, v] of Object.entries(r)) {
      log(`  ${what} ${k}: median ${v.stats?.median?.toFixed(0) ?? '—'} ms${v.fails ? `, ${v.fails} failed: ${v.err}` : ''}`);
      if (v.fails) problems.push(`${k}: ${v.fails}/${RUNS} ${what} failed — ${v.err}`);
    }
  }
  for (const [key, env] of engines) {
    const left = (await docker(env, ['ps', '-aq'])).stdout.split('\n').filter(Boolean);
    if (left.length) problems.push(`${key}: ${left.length} container(s) still listed after \`docker run --rm\``);
  }
  return { load, version, runRm };
}

/** The same download inside the VM (busybox wget → the container's IP): no link, no host. */
async function inGuestDownload(vm, name) {
  log(`throughput: inside the VM, busybox wget from the container's IP, ${PAYLOAD_MB} MiB × ${FETCHES} (+1 warm-up)`);
  const ip = (await docker(vm.docker, ['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', name])).stdout.trim();
  try {
    if (!ip) throw new Error(`no IP for ${name} in docker inspect`);
    const ms = (await vm.guestTimes(`/usr/bin/busybox wget -q -O /dev/null http://${ip}:8080/big`, FETCHES + 1)).slice(1);
    return { stats: stats(ms.map((t) => PAYLOAD_MB / (t / 1000))), errors: [] };
  } catch (e) {
    return { stats: null, errors: [e.message] };
  }
}

/** MB/s of a PAYLOAD_MB download: host loopback (reference), VM published port, native published port. */
async function measureThroughput(vm, native) {
  const out = {};
  const host = await hostServer(session, path.join(session.base, 'www'), PAYLOAD_MB);
  out.server = host.server;
  log(`throughput: host loopback, ${PAYLOAD_MB} MiB × ${FETCHES} (+1 warm-up)`);
  out.host = await measureDownload(host.url, { mb: PAYLOAD_MB, fetches: FETCHES, checkAbort: session.checkAbort });
  await host.stop();
  for (const [key, env] of [['vm', vm.docker], ['native', native.env]]) {
    session.checkAbort();
    log(`throughput: ${key} container behind -p 127.0.0.1:<port>:8080, ${PAYLOAD_MB} MiB × ${FETCHES} (+1 warm-up)`);
    try {
      const c = await containerServer(env, { image: IMAGE, mb: PAYLOAD_MB, name: `bbvm-http-${key}`, checkAbort: session.checkAbort });
      out[key] = await measureDownload(c.url, { mb: PAYLOAD_MB, fetches: FETCHES, checkAbort: session.checkAbort });
      out[key].readyMs = c.readyMs;
      if (key === 'vm') out.inGuest = await inGuestDownload(vm, `bbvm-http-${key}`);
      await c.stop();
    } catch (e) {
      out[key] = { stats: null, errors: [e.message] };
    }
  }
  for (const [k, v] of Object.entries(out)) {
    if (k === 'server') continue;
    log(`  ${k}: median ${v.stats?.median?.toFixed(1) ?? '—'} MB/s${v.errors.length ? `; errors: ${v.errors.join('; ').slice(0, 300)}` : ''}`);
    if (v.errors.length) problems.push(`throughput ${k}: ${v.errors.join('; ').slice(0, 400)}`);
  }
  return out;
}

async function main() {
  if (process.getuid?.() !== 0) throw new Error('run as root (starts QEMU, a native engine and a bridge)');
  const started = performance.now();
  await ensureBuilt();
  await ensureVmImage();
  const manifest = readManifest();
  const base = makeTempBase(session, 'bbvm-');
  await guardHostState(session);
  const env = {
    date: new Date().toISOString(),
    cpus: os.cpus().length,
    kernel: os.release(),
    qemu: (await run('qemu-system-x86_64', ['--version'])).stdout.split('\n')[0],
    cli: (await run(DOCKER, ['--version'])).stdout.trim(),
    foreignQemu: foreignQemus(base).length,
    load: os.loadavg(),
  };
  if (env.foreignQemu) log(`note: ${env.foreignQemu} other QEMU process(es) running on this host (not ours): times will be noisy`);

  const { res: boots, vm } = await measureBoots();
  const mem = await idleMemory(vm);
  const nodeStart = await measureNodeStart(vm);

  log(`starting the native engine (bridge ${NATIVE_BRIDGE}, ${NATIVE_SUBNET})`);
  const native = await startBerth(session, { bridge: NATIVE_BRIDGE, subnet: NATIVE_SUBNET });
  const runs = await measureRuns(vm, native);
  const tput = await measureThroughput(vm, native);
  mem.qemuAfter = vmRssKb(mem.qemuPid);
  const after = await vm.status();
  mem.agentAfter = after.hostAgentPid ? vmRssKb(after.hostAgentPid) : null;
  env.foreignQemuEnd = foreignQemus(base).length;
  // The image is shared with whoever else works in this tree: say so if it was rebuilt meanwhile.
  const manifestEnd = readManifest();
  if (manifestEnd.inputHash !== manifest.inputHash || manifestEnd.builtAt !== manifest.builtAt) {
    problems.push(`the VM image was rebuilt during this run (built ${manifest.builtAt} at the start, ${manifestEnd.builtAt} at the end): boots may have used different images`);
  }

  log('stopping the VM');
  const st = await vm.stop('final');
  if (!st.ok) problems.push(`final \`berth stop\`: ${st.err}`);
  else boots.stop.push(st);

  session.checkAbort();
  const written = await vmReport({
    opts: { BOOTS, RUNS, PAYLOAD_MB, FETCHES, IDLE_S, CPUS, MEMORY_MIB, IMAGE },
    boots, mem, nodeStart, runs, tput, manifest, env, notes, problems, started,
    imageDir: path.relative(ROOT, IMAGE_DIR),
    cli: path.relative(ROOT, BERTH_CLI),
    logs: [[path.join(base, 'vm-logs/serial-cold1.log'), 'vm-serial-cold.log'], [path.join(base, 'vm-logs/serial-final.log'), 'vm-serial-warm.log'], [path.join(base, 'vm-logs/hostagent-final.log'), 'vm-hostagent.log'], [native.logFile, 'vm-native-engine.log']],
  });
  log(`wrote ${written}`);
}

await runMain(session, main, { links: [NATIVE_BRIDGE] });
