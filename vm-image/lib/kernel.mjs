// The guest kernel out of the unpacked root: the image QEMU's -kernel loads, the config (which
// compressors the initramfs may use), and its modules pruned to what a small VM can use, with a
// modules.dep generated for what is left.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fail, run } from './run.mjs';

/** Kernel module trees nobody needs in a small VM (hardware we never emulate, filesystems we never mount). */
const MODULE_PRUNE = [
  'drivers/comedi', 'drivers/infiniband', 'drivers/target', 'drivers/hid', 'drivers/md', 'drivers/scsi',
  'drivers/ata', 'drivers/nvdimm', 'drivers/xen', 'drivers/hv', 'drivers/thermal', 'drivers/platform',
  'drivers/gpu', 'drivers/media', 'drivers/usb', 'drivers/net/ethernet', 'drivers/net/wireless',
  'drivers/nvme', 'drivers/vfio', 'drivers/misc', 'drivers/edac', 'drivers/hwmon', 'drivers/i2c',
  'fs/btrfs', 'fs/xfs', 'fs/nfs', 'fs/nfsd', 'fs/smb', 'fs/ceph', 'fs/nls', 'fs/ocfs2', 'fs/gfs2', 'fs/jfs',
  'fs/reiserfs', 'fs/dlm', 'fs/ubifs', 'fs/udf', 'fs/ntfs3', 'fs/f2fs', 'fs/nilfs2', 'fs/orangefs', 'fs/lockd',
  'net/rds', 'net/tipc', 'net/ceph', 'net/sunrpc', 'net/smc', 'net/openvswitch', 'net/bluetooth', 'net/wireless',
  'net/mac80211', 'net/rxrpc', 'net/9p/trans_xen.ko',
];

/**
 * Moves the kernel out of root/boot to dest and prunes and indexes its modules.
 * Returns { kconfig, dep } (dep: readModulesDep's map of the modules left).
 */
export function extractKernel(ctx, root, kver, dest) {
  let image = fs.readFileSync(path.join(root, 'boot', `vmlinuz-${kver}`));
  if (ctx.arch === 'arm64') {
    // x86's bzImage decompresses itself; arm64 boots the raw Image (magic "ARM\x64" at 56).
    // Debian 12 ships that raw; a gzip of it (as other kernels ship) is unpacked here, since
    // QEMU would gunzip it on every start and other loaders (Virtualization.framework) refuse it.
    if (image[0] === 0x1f && image[1] === 0x8b) image = zlib.gunzipSync(image);
    if (image.toString('latin1', 56, 60) !== 'ARM\x64') fail(`vmlinuz-${kver} is not a raw arm64 Image (no "ARM\\x64" magic at 56), which -kernel wants`);
  }
  fs.writeFileSync(dest, image);
  const kconfig = fs.readFileSync(path.join(root, 'boot', `config-${kver}`), 'utf8');
  fs.rmSync(path.join(root, 'boot'), { recursive: true });
  const modRoot = path.join(root, 'usr/lib/modules', kver);
  for (const p of MODULE_PRUNE) fs.rmSync(path.join(modRoot, 'kernel', p), { recursive: true, force: true });
  run('depmod', ['-b', root, kver]);
  return { kconfig, dep: readModulesDep(root, kver) };
}

/** { module_name: { path, deps } } from modules.dep (paths relative to the modules directory). */
function readModulesDep(root, kver) {
  const dep = {};
  const text = fs.readFileSync(path.join(root, 'usr/lib/modules', kver, 'modules.dep'), 'utf8');
  for (const line of text.split('\n')) {
    if (!line) continue;
    const [mod, rest] = line.split(':');
    dep[modName(mod)] = { path: mod, deps: rest.trim() ? rest.trim().split(/\s+/) : [] };
  }
  return dep;
}

const modName = (p) => path.basename(p).replace(/\.ko(\.\w+)?$/, '').replace(/-/g, '_');

/**
 * The modules' files in load order (dependencies first) for the named modules that exist; names
 * the kernel builds in (or lacks) are skipped.
 */
export function moduleClosure(dep, names) {
  const order = [];
  const visit = (p) => {
    const name = modName(p);
    if (order.some((o) => modName(o) === name)) return;
    for (const d of dep[name]?.deps ?? []) visit(d);
    order.push(dep[name]?.path ?? p);
  };
  for (const n of names) if (dep[n]) visit(dep[n].path);
  return order;
}
