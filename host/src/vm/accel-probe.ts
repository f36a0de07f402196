// Picks the accelerator by trying, since /dev/kvm can exist and still hang guests (nested KVM here
// does). On Linux a short KVM boot of the real kernel must print to the serial console within a
// few seconds; otherwise TCG. The answer is cached in BERTH_HOME per QEMU binary and host kernel.
import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import type { Accel, AccelChoice } from './driver.ts';
import { accelArgs, type GuestArch } from './qemu-argv.ts';

export interface AccelDecision {
  accel: Accel;
  reason: string;
}

export interface ProbeInput {
  qemu: string;
  arch: GuestArch;
  kernel: string;
  cacheFile: string;
  platform?: NodeJS.Platform;
  timeoutMs?: number;
}

/** The accelerator a host OS would use natively, if any. */
export function nativeAccel(platform: NodeJS.Platform): Accel | undefined {
  return platform === 'linux' ? 'kvm' : platform === 'darwin' ? 'hvf' : platform === 'win32' ? 'whpx' : undefined;
}

export async function chooseAccel(choice: AccelChoice, p: ProbeInput): Promise<AccelDecision> {
  if (choice !== 'auto') return { accel: choice, reason: `--accel ${choice}` };
  const platform = p.platform ?? process.platform;
  const native = nativeAccel(platform);
  if (native === 'hvf' || native === 'whpx') return { accel: native, reason: `${native} on ${platform}` };
  if (native !== 'kvm') return { accel: 'tcg', reason: `no accelerator known for ${platform}` };
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
  } catch {
    return { accel: 'tcg', reason: '/dev/kvm is not usable' };
  }
  const key = `${p.qemu}|${os.release()}|${p.arch}`;
  const cached = readCache(p.cacheFile, key);
  if (cached) return cached;
  const probe = await probeKvm(p);
  const decision: AccelDecision = probe.ok
    ? { accel: 'kvm', reason: 'KVM probe boot answered' }
    : { accel: 'tcg', reason: probe.detail };
  writeFileSync(p.cacheFile, JSON.stringify({ key, ...decision }) + '\n', { mode: 0o600 });
  return decision;
}

function readCache(file: string, key: string): AccelDecision | undefined {
  try {
    const c = JSON.parse(readFileSync(file, 'utf8')) as { key?: string; accel?: Accel; reason?: string };
    if (c.key === key && c.accel) return { accel: c.accel, reason: `${c.reason ?? ''} (cached)` };
  } catch {
    // no cache yet
  }
  return undefined;
}

/** Boots the kernel alone under KVM: any early console line proves the vCPU runs. */
export function probeKvm(p: ProbeInput): Promise<{ ok: boolean; detail: string }> {
  const argv = [
    '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
    '-machine', p.arch === 'arm64' ? 'virt' : 'q35', ...accelArgs(p.arch, 'kvm'), '-m', '128',
    '-kernel', p.kernel, '-append', `${p.arch === 'arm64' ? 'console=ttyAMA0' : 'console=ttyS0'} earlyprintk panic=-1`,
    '-serial', 'stdio',
  ];
  return new Promise((resolve) => {
    const child = spawn(p.qemu, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const booted = () => /Linux version|Booting Linux/.test(out);
    const done = (ok: boolean, detail: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve({ ok, detail });
    };
    const timeoutMs = p.timeoutMs ?? 4000;
    const timer = setTimeout(() => done(false, `KVM probe boot did not answer within ${timeoutMs / 1000}s (nested KVM?)`), timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('latin1');
      if (booted()) done(true, 'booted');
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    child.on('error', (e) => done(false, `KVM probe could not run QEMU: ${e.message}`));
    // 'close', not 'exit': by then stdout and stderr are read to the end, so the reason is in `err`.
    child.on('close', () => done(booted(), `KVM probe boot failed: ${err.trim().split('\n')[0] || 'QEMU exited'}`));
  });
}
