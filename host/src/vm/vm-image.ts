// Where the guest image and QEMU are, and what is missing before a start: each gap becomes one
// clear sentence saying what to install or build.
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VmImage } from './driver.ts';
import { qemuBinary, type GuestArch } from './qemu-argv.ts';

export function guestArch(hostArch: string = process.arch): GuestArch {
  return hostArch === 'arm64' ? 'arm64' : 'amd64';
}

/** BERTH_IMAGE_DIR, else vm-image/out/<arch> found walking up from this module (source or dist/). */
export function imageDir(arch: GuestArch): string {
  if (process.env.BERTH_IMAGE_DIR) return path.resolve(process.env.BERTH_IMAGE_DIR);
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'vm-image', 'out', arch);
    if (existsSync(path.join(dir, 'vm-image')) || path.dirname(dir) === dir) return candidate;
    dir = path.dirname(dir);
  }
}

export function vmImage(dir: string): VmImage {
  return {
    kernel: path.join(dir, 'vmlinuz'),
    initrd: path.join(dir, 'initrd.img'),
    root: path.join(dir, 'root.erofs'),
    manifest: path.join(dir, 'manifest.json'),
  };
}

export function findExecutable(name: string, envPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, process.platform === 'win32' ? `${name}.exe` : name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface Prerequisites {
  qemu: string;
  qemuImg: string;
  image: VmImage;
}

const INSTALL_QEMU: Record<string, string> = {
  linux: 'install QEMU (Debian/Ubuntu: `sudo apt-get install qemu-system-x86 qemu-utils`; arm64: `qemu-system-arm`)',
  darwin: 'install QEMU (`brew install qemu`)',
  win32: 'install QEMU for Windows and put its folder on PATH',
};

/** Everything `berth start` needs, or an Error listing every missing piece. */
export function checkPrerequisites(arch = guestArch()): Prerequisites {
  const problems: string[] = [];
  const how = INSTALL_QEMU[process.platform] ?? 'install QEMU';
  const qemu = process.env.BERTH_QEMU || findExecutable(qemuBinary(arch));
  if (!qemu) problems.push(`${qemuBinary(arch)} was not found on PATH: ${how}.`);
  const qemuImg = findExecutable('qemu-img');
  if (!qemuImg) problems.push(`qemu-img was not found on PATH: ${how}.`);
  const dir = imageDir(arch);
  const image = vmImage(dir);
  const missing = [image.kernel, image.initrd, image.root].filter((f) => !existsSync(f));
  if (missing.length) {
    problems.push(`the VM image is missing (${missing.map((f) => path.basename(f)).join(', ')} in ${dir}): build it with \`npm run vm-image\`, or point BERTH_IMAGE_DIR at a built image.`);
  }
  if (problems.length) throw new Error(`berth cannot start the VM:\n  - ${problems.join('\n  - ')}`);
  return { qemu: qemu as string, qemuImg: qemuImg as string, image };
}
