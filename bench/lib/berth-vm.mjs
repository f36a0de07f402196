// Berth's VM driven through its own CLI, as a user runs it: `berth start|status|stop` with a
// private BERTH_HOME. While `berth start` runs, the guest's serial log is tailed so each BERTH-*
// marker gets a host time; with the host agent's event log (ISO times) and the kernel's own printk
// stamps that gives a per-phase breakdown of the boot. Every QEMU / host agent seen is remembered
// and ended in the session's cleanup if `berth stop` did not end it.
import { existsSync, promises as fs, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { dockerEnv } from './peers.mjs';
import { killPids, log, must, run } from './proc.mjs';
import { ROOT } from './setup.mjs';

export const BERTH_CLI = path.join(ROOT, 'bin/berth.mjs');
export const VM_ARCH = process.arch === 'arm64' ? 'arm64' : 'amd64';
export const IMAGE_DIR = path.join(ROOT, 'vm-image/out', VM_ARCH);
const START_TIMEOUT_S = 360;

/** The guest image must exist; vm-image/build.mjs is cached (fast when up to date). */
export async function ensureVmImage() {
  if (existsSync(path.join(IMAGE_DIR, 'manifest.json'))) return;
  log(`${path.relative(ROOT, IMAGE_DIR)}/manifest.json missing: running vm-image/build.mjs`);
  await must(process.execPath, [path.join(ROOT, 'vm-image/build.mjs'), '--arch', VM_ARCH], { cwd: ROOT, timeoutMs: 1_800_000 });
}

export const readManifest = () => JSON.parse(readFileSync(path.join(IMAGE_DIR, 'manifest.json'), 'utf8'));

/** `node vm-image/boot-smoke.mjs --floor`: the same kernel booting a busybox init that powers off at once. */
export async function bootFloor() {
  const r = await run(process.execPath, [path.join(ROOT, 'vm-image/boot-smoke.mjs'), '--floor', '--arch', VM_ARCH], { cwd: ROOT, timeoutMs: 300_000 });
  const m = /floor: QEMU start to exit (\d+) ms; userspace at guest t=([\d.]+|\?) s/.exec(r.stdout);
  if (r.code !== 0 || !m) return { ok: false, err: `exit ${r.code}: ${(r.stdout + r.stderr).trim().slice(-400)}` };
  return { ok: true, ms: Number(m[1]), userspaceS: m[2] === '?' ? null : Number(m[2]), wallMs: r.ms };
}

/** Whether pid belongs to this BERTH_HOME: QEMU names it in its argv; the CLI, host agent and virtiofsd have it in their env. */
function isOurs(pid, home) {
  try {
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    return env.includes(`BERTH_HOME=${home}`) || readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`${home}/`);
  } catch {
    return false;
  }
}

/** Tails a growing file, calling onLine(line, hostMs) for each complete line. */
function tailFile(file, onLine) {
  let offset = 0;
  let partial = '';
  const poll = () => {
    let size;
    try {
      size = statSync(file).size;
    } catch {
      return;
    }
    if (size < offset) offset = 0; // QEMU truncated it (a new boot)
    if (size === offset) return;
    const text = partial + readFileSync(file).subarray(offset, size).toString('latin1');
    offset = size;
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    const now = Date.now();
    for (const l of lines) onLine(l, now);
  };
  const timer = setInterval(poll, 40);
  return () => {
    clearInterval(timer);
    poll();
  };
}

/**
 * A BERTH_HOME under the session's temp dir, with the CLI bound to it. Its cleanup stops the VM
 * (`berth stop`), then kills whatever of ours is still alive (QEMU, host agent, virtiofsd).
 */
export function createVmHome(session, name, { cpus = 2, memoryMiB = 2048 } = {}) {
  const home = path.join(session.base, name);
  const env = { ...process.env, BERTH_HOME: home };
  delete env.DOCKER_HOST;
  const records = path.join(session.base, 'vm-logs');
  const berth = (args, timeoutMs = 120_000) => run(process.execPath, [BERTH_CLI, ...args], { env, timeoutMs, cwd: ROOT });
  const vm = {
    home,
    name,
    env,
    docker: dockerEnv(path.join(home, 'docker.sock'), path.join(session.base, `${name}-docker-config`)),
    serialLog: path.join(home, 'logs/serial.log'),
    hostAgentLog: path.join(home, 'logs/hostagent.log'),
    berth,
    /** `berth start`, timed, with the boot's timeline; the serial log of this boot is kept under vm-logs/. */
    async start(label) {
      await fs.mkdir(records, { recursive: true });
      const markers = {};
      let kernelInit = null;
      let anchor = Infinity; // smallest (host time seen − guest uptime stamped) over all lines
      const stopTail = tailFile(vm.serialLog, (line, now) => {
        const m = /BERTH-([A-Z0-9-]+) t=([\d.]+)s/.exec(line);
        if (m && !(m[1] in markers)) markers[m[1]] = { uptimeS: Number(m[2]), seenMs: now };
        const p = /^\[\s*([\d.]+)\] /.exec(line);
        if (p) anchor = Math.min(anchor, now - Number(p[1]) * 1000);
        if (m) anchor = Math.min(anchor, now - Number(m[2]) * 1000);
        const k = /\[\s*([\d.]+)\] Run \/init as init process/.exec(line);
        if (k) kernelInit = Number(k[1]);
      });
      const t0 = Date.now();
      const r = await berth(['start', '--cpus', String(cpus), '--memory', String(memoryMiB)], (START_TIMEOUT_S + 30) * 1000);
      const tEnd = Date.now();
      stopTail();
      const events = readEvents(path.join(home, 'logs/hostagent.events.jsonl'));
      const out = (r.stdout + r.stderr).trim();
      return {
        label,
        ok: r.code === 0,
        ms: tEnd - t0,
        err: r.code === 0 ? '' : `exit ${r.code}: ${out.slice(-600)}`,
        output: out,
        timeline: bootTimeline({ t0, tEnd, events, markers, kernelInit, anchor: Number.isFinite(anchor) ? anchor : null }),
      };
    },
    async stop(label) {
      const r = await berth(['stop'], 120_000);
      const serial = await fs.readFile(vm.serialLog, 'latin1').catch(() => '');
      const up = (k) => Number(new RegExp(`BERTH-${k} t=([\\d.]+)s`).exec(serial)?.[1] ?? NaN);
      const guestShutdownMs = (up('POWEROFF') - up('STOPPING')) * 1000;
      await fs.copyFile(vm.serialLog, path.join(records, `serial-${label}.log`)).catch(() => undefined);
      await fs.copyFile(vm.hostAgentLog, path.join(records, `hostagent-${label}.log`)).catch(() => undefined);
      // QEMU truncates serial.log when it opens it; removing it here keeps the next boot's tail clean.
      await fs.rm(vm.serialLog, { force: true });
      const alive = vm.ourPids();
      return { ok: r.code === 0 && !alive.length, ms: r.ms, guestShutdownMs: Number.isFinite(guestShutdownMs) ? guestShutdownMs : null, err: r.code !== 0 ? (r.stderr || r.stdout).trim().slice(-300) : alive.length ? `still running after \`berth stop\`: ${alive.join(', ')}` : '' };
    },
    /**
     * Runs `time <cmd>` n times in the guest over the link (`berth shell`); busybox's `time`
     * prints "real 0m 1.23s" per run. Returns the wall times in ms, or throws.
     */
    async guestTimes(cmd, n) {
      const r = await berth(['shell', '--', 'sh', '-c', `for i in $(seq ${n}); do time ${cmd}; done`], 600_000);
      const ms = [...(r.stdout + r.stderr).matchAll(/real\s+(\d+)m\s*([\d.]+)s/g)].map((m) => (Number(m[1]) * 60 + Number(m[2])) * 1000);
      if (r.code !== 0 || ms.length !== n) throw new Error(`berth shell: \`time ${cmd}\` (exit ${r.code}): ${(r.stdout + r.stderr).trim().slice(-300)}`);
      return ms;
    },
    async status() {
      const r = await berth(['status', '--json'], 30_000);
      try {
        return JSON.parse(r.stdout);
      } catch {
        return { error: `berth status --json (exit ${r.code}): ${(r.stdout + r.stderr).trim().slice(0, 300)}` };
      }
    },
    /** Processes of this BERTH_HOME that are still alive. */
    ourPids() {
      return readdirSync('/proc').filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid).map(Number).filter((p) => isOurs(p, home));
    },
  };
  session.cleanups.push([`berth VM ${name}`, async () => {
    if (!existsSync(home)) return;
    if (vm.ourPids().length || existsSync(path.join(home, 'hostagent.pid')) || existsSync(path.join(home, 'vm/qemu.pid'))) {
      const r = await berth(['stop'], 120_000);
      if (r.code !== 0) session.notes.push(`${name}: \`berth stop\` in cleanup failed: ${(r.stderr || r.stdout).trim().slice(0, 200)}`);
    }
    const left = vm.ourPids();
    if (left.length) {
      session.notes.push(`${name}: ${left.length} process(es) still alive after \`berth stop\` (${left.join(', ')}); killed`);
      await killPids(left);
      await sleep(300);
    }
    await fs.rm(home, { recursive: true, force: true });
  }]);
  return vm;
}

function readEvents(file) {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => {
      try {
        const e = JSON.parse(l);
        return { ...e, ms: Date.parse(e.time) };
      } catch {
        return null;
      }
    }).filter(Boolean);
  } catch {
    return [];
  }
}

// Guest markers in boot order, with what the phase ending at each one covers.
export const GUEST_PHASES = [
  ['STAGE2', 'stage 1: initramfs modules, erofs root + tmpfs overlay, switch_root'],
  ['MODULES', 'berth-init: mounts, cgroup2, clock, early modules'],
  ['DISK', 'network, data disk (mke2fs on a first boot), mount'],
  ['SHARES', 'shared folders (virtiofs)'],
  ['INIT', 'link key, inittab'],
  ['ENGINE-START', 'busybox init → engine spawned'],
  ['READY', 'engine (Node) start → its socket listens'],
];

/**
 * Phases of one `berth start`, each in ms, from: the host agent's events (`starting the VM`,
 * `accelerator: …`, `the engine answers`), the guest markers (uptime) and the kernel's `Run /init`
 * stamp. anchor: the guest's t=0 on the host clock, estimated as the smallest (host time a line was
 * seen − the uptime it carries) over the kernel's printk lines and the markers (tailing only adds
 * delay, so the smallest is the tightest). null where unknown.
 */
export function bootTimeline({ t0, tEnd, events, markers, kernelInit, anchor }) {
  const ev = (re) => events.find((e) => e.type === 'progress' && re.test(e.message))?.ms ?? null;
  const tAgent = ev(/^starting the VM/);
  const tAccel = ev(/^accelerator:/);
  const tLink = ev(/^link to the guest is up/);
  const tEngine = ev(/^the engine answers/);
  const kernel0 = anchor;
  const guest = (k) => (markers[k] && kernel0 != null ? kernel0 + markers[k].uptimeS * 1000 : null);
  const d = (a, b) => (a == null || b == null ? null : b - a);
  const phases = [
    ['cli', '`berth start` → host agent running (Node start, keys, settings)', d(t0, tAgent)],
    ['accel', 'accelerator choice (KVM probe boot; cached after the first start)', d(tAgent, tAccel)],
    ['firmware', 'virtiofsd, data disk, QEMU start, firmware → kernel entry', d(tAccel, kernel0)],
    ['kernel', 'kernel boot → `Run /init`', kernelInit == null ? null : kernelInit * 1000],
  ];
  let prev = kernelInit == null || kernel0 == null ? null : kernel0 + kernelInit * 1000;
  for (const [k, label] of GUEST_PHASES) {
    if (!markers[k]) continue;
    phases.push([k, `→ ${k}: ${label}`, d(prev, guest(k))]);
    prev = guest(k);
  }
  phases.push(['host-sees', 'READY → host gets /_ping through the link (`the engine answers`)', d(guest('READY'), tEngine)]);
  phases.push(['cli-exit', '→ `berth start` returns (the CLI sees the ready event of the agent)', d(tEngine, tEnd)]);
  return {
    phases,
    total: tEnd - t0,
    linkUpMs: d(t0, tLink),
    readyGuestS: markers.READY?.uptimeS ?? null,
    kernelInitS: kernelInit,
    markers: Object.keys(markers),
    accelMessage: events.find((e) => e.type === 'progress' && /^accelerator:/.test(e.message))?.message ?? null,
  };
}

/** Other QEMU processes on this host (other users of the machine): noise worth reporting. */
export function foreignQemus(base) {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (/qemu-system-/.test(cmd.split('\0')[0]) && !cmd.includes(base)) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}
