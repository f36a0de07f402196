// The stage-1 initramfs (busybox, the modules that find the root disk, guest/stage1-init.sh) and
// the benchmark floor's (the same busybox powering off at once), as compressed newc archives.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { moduleClosure } from './kernel.mjs';
import { run } from './run.mjs';

/**
 * Stage 1 loads these (and their dependencies) to find the root: virtio over PCI (q35, and arm64's
 * `virt` with -device virtio-*-pci) or over MMIO (`virt`'s virtio-*-device). Built-ins are skipped.
 */
const STAGE1_MODULES = ['virtio_pci', 'virtio_blk', 'virtio_mmio', 'erofs', 'overlay'];

/** Writes out/<arch>/initrd.img.new from the unpacked root and returns its path. */
export function buildInitramfs(ctx, root, { dep, kconfig, kver }) {
  const dir = path.join(ctx.paths.stage, 'initramfs');
  fs.rmSync(dir, { recursive: true, force: true });
  for (const d of ['bin', 'dev', 'proc', 'sys', 'ro', 'rw', 'newroot', 'lib/modules']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  copyBusybox(root, dir);
  fs.symlinkSync('busybox', path.join(dir, 'bin/sh'));
  const names = [];
  for (const rel of moduleClosure(dep, STAGE1_MODULES)) {
    const base = path.basename(rel);
    fs.copyFileSync(path.join(root, 'usr/lib/modules', kver, rel), path.join(dir, 'lib/modules', base));
    names.push(base);
  }
  fs.writeFileSync(path.join(dir, 'modules'), names.join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'init'), fs.readFileSync(path.join(ctx.paths.guest, 'stage1-init.sh'), 'utf8'), { mode: 0o755 });
  return writeCpio(dir, kconfig, path.join(ctx.paths.archDir, 'initrd.img.new'));
}

/** The benchmark floor: the same kernel, an initramfs whose /init is busybox powering off at once. */
export function buildFloorInitramfs(ctx, root, { kconfig }) {
  const dir = path.join(ctx.paths.stage, 'floor');
  fs.rmSync(dir, { recursive: true, force: true });
  for (const d of ['bin', 'dev', 'proc']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  copyBusybox(root, dir);
  fs.writeFileSync(path.join(dir, 'init'), '#!/bin/busybox sh\n/bin/busybox mount -t proc proc /proc\nread up _ </proc/uptime\necho "BERTH-FLOOR t=${up}s"\n/bin/busybox poweroff -f\n', { mode: 0o755 });
  return writeCpio(dir, kconfig, path.join(ctx.paths.archDir, 'floor-initrd.img.new'));
}

function copyBusybox(root, dir) {
  fs.copyFileSync(path.join(root, 'usr/bin/busybox'), path.join(dir, 'bin/busybox'));
  fs.chmodSync(path.join(dir, 'bin/busybox'), 0o755);
}

/** dir as a compressed newc archive (zstd when the kernel reads it, else gzip), plus /dev/console. */
function writeCpio(dir, kconfig, out) {
  const list = run('sh', ['-c', 'cd "$1" && find . -mindepth 1 | LC_ALL=C sort', 'sh', dir]);
  const compress = /CONFIG_RD_ZSTD=y/.test(kconfig) ? ['zstd', '-q', '-19', '-T0', '-c'] : ['gzip', '-9', '-n', '-c'];
  execFileSync('sh', ['-c', `cd "$1" && cpio --quiet -o -H newc -R 0:0 --reproducible | ${compress.join(' ')} > "$2"`, 'sh', dir, out], { input: list });
  // /dev/console must exist before devtmpfs is mounted, or the kernel starts /init without a
  // console: a second archive (the kernel reads concatenated ones) holding just that node, written
  // by hand so the build needs no mknod.
  const extra = execFileSync(compress[0], compress.slice(1), { input: Buffer.concat([newcEntry('dev/console', 0o020600, 5, 1), newcEntry('TRAILER!!!', 0, 0, 0)]) });
  fs.appendFileSync(out, extra);
  return out;
}

/** One newc cpio header + name for a node without data (char device when mode says so). */
function newcEntry(name, mode, rdevMajor, rdevMinor) {
  const hex = (n) => n.toString(16).padStart(8, '0');
  const nameBuf = Buffer.from(name + '\0');
  const fields = ['070701', hex(0), hex(mode), hex(0), hex(0), hex(1), hex(0), hex(0), hex(0), hex(0), hex(rdevMajor), hex(rdevMinor), hex(nameBuf.length), hex(0)];
  const head = Buffer.from(fields.join(''));
  const len = head.length + nameBuf.length;
  return Buffer.concat([head, nameBuf, Buffer.alloc((4 - (len % 4)) % 4)]);
}
