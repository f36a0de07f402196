// What every VM command needs, built once from BERTH_HOME, settings and flags: the home, the
// driver (QEMU) and, for starting, the prerequisites and the VM config.
import path from 'node:path';
import { BerthPaths } from '../home/berth-paths.ts';
import { ensureKeyPair } from '../link/key-pair.ts';
import type { VmConfig } from '../vm/driver.ts';
import { QemuDriver } from '../vm/qemu-driver.ts';
import { qemuBinary } from '../vm/qemu-argv.ts';
import { checkPrerequisites, findExecutable, guestArch } from '../vm/vm-image.ts';
import { parseAccel, resolveVmSettings, type VmSettings } from '../vm/vm-settings.ts';

export const SIZE_OPTIONS = {
  cpus: { type: 'string' },
  memory: { type: 'string' },
  disk: { type: 'string' },
  accel: { type: 'string' },
  // Repeatable; replaces the settings' shared folders for this start.
  share: { type: 'string', multiple: true },
} as const;

export interface SizeFlags { cpus?: string; memory?: string; disk?: string; accel?: string; share?: string[] }

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive whole number (got "${v}")`);
  return n;
}

export function sizeFlags(f: SizeFlags): Partial<VmSettings> {
  return {
    cpus: int('cpus', f.cpus), memoryMiB: int('memory', f.memory), diskGiB: int('disk', f.disk), accel: f.accel ? parseAccel(f.accel) : undefined,
    sharedFolders: f.share?.map((p) => path.resolve(p)),
  };
}

/** A driver for stop/status/reset: works without the image, and without QEMU for what needs none. */
export function vmDriver(home = new BerthPaths()): QemuDriver {
  const arch = guestArch();
  return new QemuDriver(home, { qemu: findExecutable(qemuBinary(arch)) ?? qemuBinary(arch), qemuImg: findExecutable('qemu-img') ?? 'qemu-img', arch });
}

/** Everything needed to boot; throws one clear message when QEMU or the image is missing. */
export async function startEnvironment(flags: SizeFlags): Promise<{ home: BerthPaths; driver: QemuDriver; config: VmConfig; privateKey: string }> {
  const home = new BerthPaths().ensure();
  const settings = await resolveVmSettings(home.dir, home.settings, sizeFlags(flags));
  const pre = checkPrerequisites();
  const keys = ensureKeyPair(home);
  const driver = new QemuDriver(home, { qemu: pre.qemu, qemuImg: pre.qemuImg, arch: guestArch() });
  return { home, driver, config: { ...settings, image: pre.image, publicKey: keys.publicKey }, privateKey: keys.privateKey };
}
