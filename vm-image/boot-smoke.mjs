#!/usr/bin/env node
// Boots the image from vm-image/out/<arch>/ under QEMU (TCG here) and checks the engine answers.
//
//   node vm-image/boot-smoke.mjs [--arch amd64|arm64] [--twice] [--run] [--keep-disk DIR] [--accel tcg|kvm]
//   node vm-image/boot-smoke.mjs --floor        the same kernel + a busybox init that powers off at once
//
// Normal mode: a fresh qcow2 data disk, `berth.debugtcp=1` so the guest exposes its engine on TCP
// 2375, forwarded by QEMU user networking (restrict=on: the guest reaches nothing but the host's
// forwards) to 127.0.0.1:<free port>; polls GET /_ping from the host, prints time-to-ready and
// QEMU's RSS, then powers off through QMP `system_powerdown` (killing QEMU after a timeout).
// --run also `docker load`s the test busybox fixture (test/.work/fixtures, if built) and runs it.
// --twice boots a second time on the same data disk (the disk must not be formatted again).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.dirname(HERE);
const HOST_ARCH = { x64: 'amd64', arm64: 'arm64' }[process.arch];
const { values: opts } = parseArgs({
  options: {
    arch: { type: 'string', default: HOST_ARCH },
    floor: { type: 'boolean', default: false },
    twice: { type: 'boolean', default: false },
    run: { type: 'boolean', default: false },
    accel: { type: 'string', default: 'tcg' },
    memory: { type: 'string', default: '2048' },
    cpus: { type: 'string', default: '2' },
    timeout: { type: 'string', default: '180' },
    'keep-disk': { type: 'string' },
    verbose: { type: 'boolean', short: 'v', default: false },
    append: { type: 'string', default: '' },
  },
});
const ARCH = opts.arch;
const IMG = path.join(HERE, 'out', ARCH);
for (const f of ['vmlinuz', opts.floor ? 'floor-initrd.img' : 'initrd.img', ...(opts.floor ? [] : ['root.erofs'])]) {
  if (!fs.existsSync(path.join(IMG, f))) {
    console.error(`boot-smoke: ${path.join(IMG, f)} is missing: run \`npm run vm-image -- --arch ${ARCH}\` first`);
    process.exit(1);
  }
}
const QEMU = ARCH === 'arm64' ? 'qemu-system-aarch64' : 'qemu-system-x86_64';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-boot-'));
const timeoutMs = Number(opts.timeout) * 1000;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}
function rssMiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}
function httpGet(port, p, timeout = 1500) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, timeout }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', () => resolve(null));
    req.on('timeout', () => {
      req.destroy();
      resolve(null);
    });
  });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A minimal QMP client: greeting, qmp_capabilities, one command. */
function qmp(sock, command) {
  return new Promise((resolve) => {
    const c = net.connect(sock);
    let buf = '';
    let step = 0;
    c.on('data', (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const msg = JSON.parse(line);
        if (step === 0 && msg.QMP) {
          c.write('{"execute":"qmp_capabilities"}\n');
          step = 1;
        } else if (step === 1 && 'return' in msg) {
          c.write(JSON.stringify({ execute: command }) + '\n');
          step = 2;
        } else if (step === 2 && ('return' in msg || 'error' in msg)) {
          c.end();
          resolve(msg);
        }
      }
    });
    c.on('error', () => resolve(null));
  });
}

function qemuArgs({ port, disk, qmpSock }) {
  const accel = opts.accel === 'tcg' ? ['-accel', 'tcg,thread=multi,tb-size=64'] : ['-accel', opts.accel];
  const machine = ARCH === 'arm64' ? ['-machine', 'virt', '-cpu', opts.accel === 'tcg' ? 'max,pauth-impdef=on' : 'host'] : ['-cpu', opts.accel === 'tcg' ? 'max' : 'host'];
  const console = ARCH === 'arm64' ? 'ttyAMA0' : 'ttyS0';
  const now = Math.floor(Date.now() / 1000);
  const append = opts.floor
    ? `console=${console} quiet panic=-1 ${opts.append}`
    : `console=${console} quiet panic=-1 berth.time=${now} berth.debugtcp=1 ${opts.append}`;
  const args = [
    ...accel, ...machine, '-m', opts.memory, '-smp', opts.cpus,
    '-nodefaults', '-no-user-config', '-nographic', '-serial', 'stdio', '-no-reboot',
    '-kernel', path.join(IMG, 'vmlinuz'),
    '-initrd', path.join(IMG, opts.floor ? 'floor-initrd.img' : 'initrd.img'),
    '-append', append.trim(),
    '-qmp', `unix:${qmpSock},server=on,wait=off`,
  ];
  if (!opts.floor) {
    args.push(
      '-drive', `file=${path.join(IMG, 'root.erofs')},if=virtio,format=raw,readonly=on`,
      '-drive', `file=${disk},if=virtio,format=qcow2,discard=unmap`,
      // restrict=on: the guest can reach nothing outside; only our forward comes in.
      '-netdev', `user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:${port}-:2375`,
      '-device', 'virtio-net-pci,netdev=n0,romfile=', // no iPXE option ROM: we boot with -kernel
      '-device', 'virtio-rng-pci',
    );
  }
  return args;
}

async function boot(disk, label) {
  const port = await freePort();
  const qmpSock = path.join(work, `qmp-${label}.sock`);
  const serialLog = path.join(work, `serial-${label}.log`);
  const args = qemuArgs({ port, disk, qmpSock });
  if (opts.verbose) console.log(`${QEMU} ${args.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}`);
  const t0 = performance.now();
  const q = spawn(QEMU, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let serial = '';
  let lineBuf = '';
  const markers = {};
  const log = fs.createWriteStream(serialLog);
  const onData = (d) => {
    const s = d.toString();
    serial += s;
    log.write(d);
    if (opts.verbose) {
      // Each serial line with the host's elapsed time, for finding where a boot spends it.
      lineBuf += s;
      let nl;
      while ((nl = lineBuf.indexOf('\n')) >= 0) {
        const line = lineBuf.slice(0, nl).replace(/\x1b\[[0-9;?]*[a-zA-Z]|\r/g, '');
        lineBuf = lineBuf.slice(nl + 1);
        if (line.trim()) process.stdout.write(`${String(Math.round(performance.now() - t0)).padStart(6)} ms | ${line}\n`);
      }
    }
    for (const m of serial.matchAll(/BERTH-([A-Z0-9-]+) t=([\d.]+)s/g)) {
      if (!(m[1] in markers)) markers[m[1]] = { guestUptime: Number(m[2]), hostMs: Math.round(performance.now() - t0) };
    }
  };
  q.stdout.on('data', onData);
  q.stderr.on('data', onData);
  const exited = new Promise((resolve) => q.on('exit', (code, sig) => resolve({ code, sig, ms: Math.round(performance.now() - t0) })));
  let done = false;
  exited.then(() => (done = true));
  const result = { label, port, serialLog };

  if (opts.floor) {
    const killer = setTimeout(() => q.kill('SIGKILL'), timeoutMs);
    const e = await exited;
    clearTimeout(killer);
    result.exitMs = e.ms;
    result.markers = markers;
    result.ok = 'FLOOR' in markers;
    return result;
  }

  // Wait for /_ping through the forward.
  let ping = null;
  while (!done && performance.now() - t0 < timeoutMs) {
    ping = await httpGet(port, '/_ping', 1000);
    if (ping?.status === 200) break;
    ping = null;
    await sleep(100);
  }
  result.readyMs = ping ? Math.round(performance.now() - t0) : null;
  result.rssAtReadyMiB = rssMiB(q.pid);
  if (ping) {
    const version = await httpGet(port, '/version');
    const info = await httpGet(port, '/info');
    try {
      const v = JSON.parse(version.body);
      const i = JSON.parse(info.body);
      result.engine = { version: v.Version, apiVersion: v.ApiVersion, arch: i.Architecture, kernel: v.KernelVersion ?? i.KernelVersion, cgroupVersion: i.CgroupVersion, cgroupDriver: i.CgroupDriver, os: i.OperatingSystem, ncpu: i.NCPU, memGiB: i.MemTotal ? +(i.MemTotal / 2 ** 30).toFixed(2) : undefined };
    } catch {
      result.engine = { version: version?.body?.slice(0, 200), info: info?.body?.slice(0, 200) };
    }
    if (opts.run) result.run = await runFixture(port);
    await sleep(2000);
    result.rssIdleMiB = rssMiB(q.pid);
  }
  // Clean poweroff: ACPI power button → acpid → poweroff → berth-init shutdown.
  const tOff = performance.now();
  if (!done) await qmp(qmpSock, 'system_powerdown');
  const killer = setTimeout(() => {
    result.killed = true;
    q.kill('SIGKILL');
  }, 45000);
  const e = await exited;
  clearTimeout(killer);
  log.end();
  result.shutdownMs = Math.round(performance.now() - tOff);
  result.exit = e.code ?? e.sig;
  result.markers = markers;
  result.formatted = /formatting \/dev\/vdb/.test(serial);
  result.ok = !!ping && !result.killed && 'POWEROFF' in markers;
  if (!result.ok || opts.verbose) result.serialTail = serial.split('\n').slice(-40).join('\n');
  return result;
}

async function runFixture(port) {
  const fixture = path.join(REPO, 'test/.work/fixtures/busybox.tar');
  const docker = ['/usr/local/bin/docker', '/usr/bin/docker'].find((f) => fs.existsSync(f));
  if (!fs.existsSync(fixture) || !docker) return { skipped: `needs ${fixture} (npm test builds it) and the docker CLI` };
  const env = { ...process.env, DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_CONTEXT: '' };
  const d = (args) => {
    const t = performance.now();
    const r = spawnSync(docker, args, { env, encoding: 'utf8', timeout: 120000 });
    return { ok: r.status === 0, ms: Math.round(performance.now() - t), out: (r.stdout + r.stderr).trim().slice(-500) };
  };
  const load = d(['load', '-i', fixture]);
  const run1 = d(['run', '--rm', 'berth-test/busybox:latest', 'sh', '-c', 'echo hello-from-the-vm; cat /proc/self/cgroup']);
  const run2 = d(['run', '--rm', 'berth-test/busybox:latest', 'true']);
  return { load: { ok: load.ok, ms: load.ms }, run: run1, runTrue: { ok: run2.ok, ms: run2.ms } };
}

function qemuVersion() {
  const r = spawnSync(QEMU, ['--version'], { encoding: 'utf8' });
  if (r.error) {
    console.error(`boot-smoke: ${QEMU} not found: apt-get install ${ARCH === 'arm64' ? 'qemu-system-arm' : 'qemu-system-x86'} qemu-utils`);
    process.exit(1);
  }
  return r.stdout.split('\n')[0];
}

const manifest = JSON.parse(fs.readFileSync(path.join(IMG, 'manifest.json'), 'utf8'));
console.log(`boot-smoke: ${qemuVersion()}, accel ${opts.accel}, ${opts.cpus} vCPU, ${opts.memory} MiB, kernel ${manifest.kernel.release}${opts.floor ? ' (floor: busybox init powers off at once)' : ''}`);
let disk = null;
if (!opts.floor) {
  disk = path.join(opts['keep-disk'] ?? work, 'data.qcow2');
  if (!fs.existsSync(disk)) {
    fs.mkdirSync(path.dirname(disk), { recursive: true });
    const r = spawnSync('qemu-img', ['create', '-q', '-f', 'qcow2', disk, '16G'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`qemu-img: ${r.stderr}`);
  }
}
const results = [];
for (const label of opts.twice ? ['cold', 'second'] : ['cold']) results.push(await boot(disk, label));
let ok = true;
for (const r of results) {
  ok &&= r.ok;
  if (opts.floor) {
    console.log(`floor: QEMU start to exit ${r.exitMs} ms; userspace at guest t=${r.markers.FLOOR?.guestUptime ?? '?'} s (host ${r.markers.FLOOR?.hostMs ?? '?'} ms)`);
    continue;
  }
  const m = (k) => (r.markers[k] ? `${r.markers[k].hostMs} ms (guest ${r.markers[k].guestUptime} s)` : '-');
  console.log(`\n[${r.label} boot] ${r.ok ? 'OK' : 'FAILED'}${r.formatted ? ' (data disk formatted)' : ''}`);
  console.log(`  time to /_ping from the host:  ${r.readyMs ?? 'never'} ms`);
  console.log(`  serial markers (host time):   stage2 ${m('STAGE2')}, modules ${m('MODULES')}, disk ${m('DISK')}, init ${m('INIT')}, ready ${m('READY')}`);
  console.log(`  QEMU RSS: at ready ${r.rssAtReadyMiB ?? '?'} MiB, idle ${r.rssIdleMiB ?? '?'} MiB`);
  if (r.engine) console.log(`  engine: ${JSON.stringify(r.engine)}`);
  if (r.run) console.log(`  docker: ${JSON.stringify(r.run)}`);
  console.log(`  poweroff (QMP system_powerdown → QEMU exit): ${r.shutdownMs} ms${r.killed ? ' (KILLED after timeout)' : ''}; clean=${'POWEROFF' in r.markers}`);
  if (r.serialTail) console.log(`  serial log ${r.serialLog}, last lines:\n${r.serialTail.replace(/^/gm, '    | ')}`);
}
if (opts.twice && results[1] && results[1].formatted) {
  console.log('FAILED: the second boot formatted the data disk again');
  ok = false;
}
if (ok && !opts['keep-disk']) fs.rmSync(work, { recursive: true, force: true });
else console.log(`work dir kept: ${work}`);
process.exit(ok ? 0 : 1);
