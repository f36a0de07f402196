// The arm64 guest image under qemu-system-aarch64 (TCG): built (or reused) by
// `node vm-image/build.mjs --arch arm64`, booted with the product's own QEMU command line
// (host/src/vm/qemu-argv.ts, arch arm64) plus `berth.debugtcp=1` and a QMP-added forward to the
// engine's debug port. It checks the engine answers and runs on aarch64, that the link service
// listens, and that QMP system_powerdown (a GPIO pulse on arm64, not ACPI) shuts the guest down
// cleanly. No containers: the test fixtures are amd64 images.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { utils as sshUtils } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qemuArgv } from '../../host/src/vm/qemu-argv.ts';
import { QmpClient } from '../../host/src/vm/qmp-client.ts';
import { ROOT } from '../harness/engine-process.ts';

const QEMU = 'qemu-system-aarch64';
const IMAGE = path.join(ROOT, 'vm-image/out/arm64');
const DEBUG_PORT = 2375; // berth.debugtcp=1: the guest's TCP proxy onto the engine socket

const hasQemu = spawnSync(QEMU, ['--version']).status === 0;
// The build downloads arm64 .debs, which apt only offers once scripts/setup.sh has added the
// architecture; an image built before is reused without apt.
const canBuild = existsSync(path.join(IMAGE, 'manifest.json')) || /^arm64$/m.test(spawnSync('dpkg', ['--print-foreign-architectures'], { encoding: 'utf8' }).stdout ?? '');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function getJson(url: string): Promise<Record<string, unknown>> {
  const r = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  expect(r.status).toBe(200);
  return (await r.json()) as Record<string, unknown>;
}

/**
 * The first bytes the guest sends on a fresh connection to port (an SSH server's banner). QEMU's
 * user networking accepts the connection before the guest does, and closes it empty while nothing
 * listens there yet: so try again until timeoutMs.
 */
async function banner(port: number, timeoutMs: number): Promise<string> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const got = await new Promise<string>((resolve) => {
      const c = net.connect(port, '127.0.0.1');
      c.setTimeout(5000, () => c.destroy());
      c.once('data', (d) => {
        c.destroy();
        resolve(d.toString('utf8'));
      });
      c.once('close', () => resolve(''));
      c.once('error', () => {});
    });
    if (got || performance.now() > deadline) return got;
    await sleep(500);
  }
}

// Skipped, not failed, where the machine cannot run it at all: scripts/setup.sh installs both.
describe.skipIf(!hasQemu || !canBuild)(`arm64 guest image under ${QEMU} (TCG; needs qemu-system-arm and dpkg's arm64 architecture)`, () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'berth-arm64-'));
  const serialLog = path.join(work, 'serial.log');
  const qmpSocket = path.join(work, 'qmp.sock');
  let qemu: ChildProcess | undefined;
  let exited: Promise<number | null> = Promise.resolve(null);
  let enginePort = 0;
  let linkPort = 0;
  let readyMs = 0;

  beforeAll(async () => {
    // A no-op in about a second when nothing changed since the last build.
    const build = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(process.execPath, [path.join(ROOT, 'vm-image/build.mjs'), '--arch', 'arm64'], { cwd: ROOT, timeout: 20 * 60_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
        resolve({ code: err ? 1 : 0, out: stdout + stderr });
      });
    });
    expect(build.code, build.out).toBe(0);
    expect(build.out).not.toMatch(/WARNING/); // e.g. node-pty not built for arm64

    const dataDisk = path.join(work, 'data.qcow2');
    expect(spawnSync('qemu-img', ['create', '-q', '-f', 'qcow2', dataDisk, '4G']).status).toBe(0);
    const publicKeyFile = path.join(work, 'authorized_key');
    const publicKey = sshUtils.generateKeyPairSync('ed25519').public;
    writeFileSync(publicKeyFile, publicKey + '\n');
    linkPort = await freePort();
    const argv = qemuArgv({
      arch: 'arm64', accel: 'tcg', cpus: 2, memoryMiB: 1024,
      kernel: path.join(IMAGE, 'vmlinuz'), initrd: path.join(IMAGE, 'initrd.img'), root: path.join(IMAGE, 'root.erofs'),
      dataDisk, publicKeyFile, publicKey, linkPort, qmpSocket, serialLog, pidFile: path.join(work, 'qemu.pid'), now: new Date(),
    });
    const append = argv.indexOf('-append') + 1;
    argv[append] += ' berth.debugtcp=1';

    const t0 = performance.now();
    qemu = spawn(QEMU, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    qemu.stderr?.on('data', (d) => (stderr += d));
    exited = new Promise((resolve) => qemu!.once('exit', (code) => resolve(code)));

    // The engine's debug port comes in through a forward added over QMP (the product's argv
    // forwards only the link port).
    let qmp: QmpClient | undefined;
    for (let i = 0; !qmp && i < 100; i++) {
      qmp = await QmpClient.connect(qmpSocket).catch(() => undefined);
      if (!qmp) await sleep(100);
    }
    expect(qmp, `QMP never answered; QEMU said: ${stderr}`).toBeDefined();
    enginePort = await freePort();
    const reply = await qmp!.execute('human-monitor-command', { 'command-line': `hostfwd_add net0 tcp:127.0.0.1:${enginePort}-:${DEBUG_PORT}` });
    qmp!.close();
    expect(reply).toBe(''); // hostfwd_add reports a clash only as text in a successful reply

    const deadline = performance.now() + 240_000;
    let pinged = false;
    while (!pinged && performance.now() < deadline && qemu.exitCode === null) {
      pinged = await fetch(`http://127.0.0.1:${enginePort}/_ping`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
      if (!pinged) await sleep(250);
    }
    readyMs = Math.round(performance.now() - t0);
    const serial = existsSync(serialLog) ? readFileSync(serialLog, 'utf8') : '';
    expect(pinged, `the engine never answered /_ping; serial log:\n${serial.slice(-3000)}\n${stderr}`).toBe(true);
    console.log(`arm64 guest: /_ping answered ${readyMs} ms after QEMU started`);
  }, 25 * 60_000);

  afterAll(async () => {
    if (qemu && qemu.exitCode === null) {
      qemu.kill('SIGKILL');
      await exited;
    }
    rmSync(work, { recursive: true, force: true });
  });

  it('serves the engine, running on aarch64 under the arm64 cloud kernel', async () => {
    expect(readyMs).toBeGreaterThan(0);
    // Docker's /version reports Go's architecture name, /info the kernel's (`uname -m`).
    const version = await getJson(`http://127.0.0.1:${enginePort}/version`);
    expect(version).toMatchObject({ Os: 'linux', Arch: 'arm64' });
    expect(version.KernelVersion).toMatch(/-cloud-arm64$/);
    const info = await getJson(`http://127.0.0.1:${enginePort}/info`);
    expect(info).toMatchObject({ Architecture: 'aarch64', CgroupVersion: '2', OSType: 'linux' });
  });

  it('ships node-pty built for aarch64 and records the image in its manifest', () => {
    const manifest = JSON.parse(readFileSync(path.join(IMAGE, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ arch: 'arm64', nodePty: 'built for the guest Node' });
    expect(manifest.kernel.package).toMatch(/^linux-image-.*-cloud-arm64$/);
    // The arm64 boot protocol wants the raw Image, not Debian's gzip of it: magic "ARM\x64" at 56.
    const head = readFileSync(path.join(IMAGE, 'vmlinuz')).subarray(0, 64);
    expect(head.subarray(56, 60).toString('latin1')).toBe('ARM\x64');
  });

  it('runs the link service on the forwarded link port (key from fw_cfg or the command line)', async () => {
    expect(await banner(linkPort, 60_000)).toMatch(/^SSH-2\.0-/);
  }, 90_000);

  it('powers off cleanly on QMP system_powerdown (the PL061 power key, no ACPI)', async () => {
    const qmp = await QmpClient.connect(qmpSocket);
    await qmp.execute('system_powerdown');
    qmp.close();
    const code = await Promise.race([exited, sleep(90_000).then(() => 'timeout' as const)]);
    expect(code).toBe(0);
    expect(readFileSync(serialLog, 'utf8')).toMatch(/BERTH-STOPPING[\s\S]*BERTH-POWEROFF/);
  }, 120_000);
});
