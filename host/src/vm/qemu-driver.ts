// The QEMU driver: disk, accelerator, argv, process, QMP. State lives in BERTH_HOME/vm: the pid
// file, the QMP socket and state.json (link port, accelerator); stale ones from a killed QEMU are
// cleaned before a start.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { GUEST_NAT_ADDRESS } from '../../../protocol/src/link.ts';
import type { BerthPaths } from '../home/berth-paths.ts';
import { chooseAccel } from './accel-probe.ts';
import { ensureDataDisk } from './data-disk.ts';
import type { Accel, DriverFeatures, StartedVm, VmConfig, VmDriver, VmStatus } from './driver.ts';
import { findVirtiofsd, planShares, startVirtiofsd, type FileShare } from './file-shares.ts';
import { isAlive, livePid } from './pid-file.ts';
import { QmpClient } from './qmp-client.ts';
import { qemuArgv, type GuestArch } from './qemu-argv.ts';

interface VmState { linkPort: number; accel: Accel; startedAt: string }

/** The user-mode network's id in qemuArgv. */
const NETDEV = 'net0';

export interface QemuDriverOptions {
  qemu: string;
  qemuImg: string;
  arch: GuestArch;
  platform?: NodeJS.Platform;
}

export class QemuDriver implements VmDriver {
  readonly name = 'qemu';
  readonly features: DriverFeatures;

  constructor(private readonly home: BerthPaths, private readonly opts: QemuDriverOptions) {
    const platform = opts.platform ?? process.platform;
    this.features = {
      accelerators: platform === 'darwin' ? ['hvf', 'tcg'] : platform === 'win32' ? ['whpx', 'tcg'] : platform === 'linux' ? ['kvm', 'tcg'] : ['tcg'],
      dynamicPortForwarding: true,
      keyDelivery: ['fw_cfg', 'cmdline'],
      gracefulShutdown: true,
      // QEMU's virtiofsd is Linux-only; macOS/Windows hosts would need 9p with a kernel that has it.
      fileSharing: platform === 'linux' ? ['virtiofs'] : [],
    };
  }

  async create(config: VmConfig): Promise<void> {
    mkdirSync(this.home.vmDir, { recursive: true, mode: 0o700 });
    await ensureDataDisk(this.opts.qemuImg, this.home.dataDisk, config.diskGiB, () => {});
  }

  /** Removes what a killed QEMU left behind; refuses if one is still running. */
  private cleanStale(): void {
    const pid = livePid(this.home.qemuPid);
    if (pid !== undefined) throw new Error(`QEMU is already running (pid ${pid})`);
    rmSync(this.home.qmpSocket, { force: true });
    rmSync(this.home.vmState, { force: true });
  }

  async start(config: VmConfig, log: (line: string) => void): Promise<StartedVm> {
    this.cleanStale();
    await this.create(config);
    const decision = await chooseAccel(config.accel, {
      qemu: this.opts.qemu, arch: this.opts.arch, kernel: config.image.kernel, cacheFile: this.home.accelCache, platform: this.opts.platform,
    });
    if (decision.accel === 'tcg') log(`accelerator: TCG (software emulation, slower) — ${decision.reason}`);
    else log(`accelerator: ${decision.accel} — ${decision.reason}`);
    const linkPort = await freePort();
    const keyFile = `${this.home.vmDir}/authorized_key`;
    writeFileSync(keyFile, `${config.publicKey.trim()}\n`, { mode: 0o644 });
    const { shares, stopShares } = await this.startShares(config.sharedFolders, log);
    const argv = qemuArgv({
      arch: this.opts.arch, accel: decision.accel, cpus: config.cpus, memoryMiB: config.memoryMiB,
      kernel: config.image.kernel, initrd: config.image.initrd, root: config.image.root, dataDisk: this.home.dataDisk,
      publicKeyFile: keyFile, publicKey: config.publicKey, linkPort, qmpSocket: this.home.qmpSocket,
      serialLog: this.home.serialLog, pidFile: this.home.qemuPid, now: new Date(), shares,
    });
    writeFileSync(`${this.home.vmDir}/qemu.argv.json`, JSON.stringify([this.opts.qemu, ...argv]) + '\n');
    const errFile = `${this.home.logsDir}/qemu.stderr.log`;
    const child = spawn(this.opts.qemu, argv, { stdio: ['ignore', 'ignore', openSync(errFile, 'w')], detached: true });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.on('exit', (code, signal) => resolve({ code, signal }));
      child.on('error', () => resolve({ code: 127, signal: null }));
    });
    // Up once QMP answers; an early exit means QEMU refused the command line.
    const deadline = Date.now() + 15_000;
    let up = false;
    while (!up && Date.now() < deadline) {
      const early = await Promise.race([exited, sleep(100).then(() => undefined)]);
      if (early) {
        stopShares();
        throw new Error(`QEMU exited at once (${early.code ?? early.signal}): ${tail(errFile)}`);
      }
      if (existsSync(this.home.qmpSocket)) up = true;
    }
    if (!up) {
      child.kill('SIGKILL');
      stopShares();
      throw new Error(`QEMU did not open its QMP socket within 15s: ${tail(errFile)}`);
    }
    const state: VmState = { linkPort, accel: decision.accel, startedAt: new Date().toISOString() };
    writeFileSync(this.home.vmState, JSON.stringify(state) + '\n');
    return { pid: child.pid ?? 0, linkPort, accel: decision.accel, exited };
  }

  /** virtiofsd for each usable folder; a folder that cannot be shared is logged, not fatal. */
  private async startShares(folders: readonly string[], log: (line: string) => void): Promise<{ shares: FileShare[]; stopShares: () => void }> {
    const none = { shares: [], stopShares: () => {} };
    if (!folders.length) return none;
    if (!this.features.fileSharing.includes('virtiofs')) {
      log('file sharing is not available with QEMU on this OS yet: no host folders in the VM');
      return none;
    }
    const binary = findVirtiofsd();
    if (!binary) {
      log('virtiofsd was not found (Debian/Ubuntu: qemu-system-common; or set BERTH_VIRTIOFSD): no host folders in the VM');
      return none;
    }
    const { shares, problems } = planShares(folders, this.home.vmDir);
    for (const p of problems) log(p);
    if (!shares.length) return none;
    const daemons = await startVirtiofsd(shares, { binary, logFile: `${this.home.logsDir}/virtiofsd.log` });
    log(`sharing ${shares.map((s) => s.hostPath).join(', ')}`);
    return { shares, stopShares: daemons.stop };
  }

  async hostForward(r: { proto: 'tcp' | 'udp'; hostIp: string; hostPort: number; guestPort: number }, on: boolean): Promise<void> {
    const rule = `${r.proto}:${r.hostIp}:${r.hostPort}`;
    const cmd = on ? `hostfwd_add ${NETDEV} ${rule}-${GUEST_NAT_ADDRESS}:${r.guestPort}` : `hostfwd_remove ${NETDEV} ${rule}`;
    const qmp = await QmpClient.connect(this.home.qmpSocket);
    try {
      // The human monitor answers a refused rule with text in a successful reply.
      const out = String(await qmp.execute('human-monitor-command', { 'command-line': cmd })).trim();
      if (out) throw new Error(out);
    } finally {
      qmp.close();
    }
  }

  async stop(timeoutMs: number): Promise<void> {
    const pid = livePid(this.home.qemuPid);
    if (pid === undefined) return this.cleanStale();
    try {
      const qmp = await QmpClient.connect(this.home.qmpSocket);
      await qmp.execute('system_powerdown');
      qmp.close();
    } catch {
      // QMP gone: go straight to the signals below
    }
    if (!(await waitExit(pid, timeoutMs))) {
      process.kill(pid, 'SIGTERM');
      if (!(await waitExit(pid, 3000))) process.kill(pid, 'SIGKILL');
      await waitExit(pid, 3000);
    }
    rmSync(this.home.qemuPid, { force: true });
    this.cleanStale();
  }

  async delete(): Promise<void> {
    await this.stop(10_000);
    rmSync(this.home.vmDir, { recursive: true, force: true });
    rmSync(this.home.knownHost, { force: true });
  }

  async status(): Promise<VmStatus> {
    const pid = livePid(this.home.qemuPid);
    if (pid === undefined) return { state: 'stopped' };
    let runState = 'unknown';
    try {
      const qmp = await QmpClient.connect(this.home.qmpSocket);
      runState = ((await qmp.execute('query-status')) as { status: string }).status;
      qmp.close();
    } catch (err) {
      runState = `unknown (QMP: ${(err as Error).message})`;
    }
    const state = this.readState();
    return { state: 'running', pid, runState, linkPort: state?.linkPort ?? 0, accel: state?.accel ?? 'tcg', startedAt: state?.startedAt ?? '' };
  }

  readState(): VmState | undefined {
    try {
      return JSON.parse(readFileSync(this.home.vmState, 'utf8')) as VmState;
    } catch {
      return undefined;
    }
  }
}

async function waitExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(100);
  }
  return !isAlive(pid);
}

/** A free 127.0.0.1 port for the link's hostfwd (another program could take it before QEMU does; QEMU then fails to start, loudly). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-5).join(' | ') || '(no output)';
  } catch {
    return '(no output)';
  }
}
