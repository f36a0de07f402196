// The guest's root tree (unpacked .debs in Debian's merged-/usr layout, busybox applets, the CA
// bundle, the engine and Berth's guest files) and the read-only erofs image made from it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fail, run, step } from './run.mjs';

/** berth-init loads these (the ones this kernel has) before it sets up the network and disks. */
const GUEST_MODULES_EARLY = ['crc32c_generic', 'virtio_net', 'qemu_fw_cfg', 'button', 'evdev', 'virtio_rng'];
/**
 * ...and these in the background while the engine starts (the kernel would autoload most of them
 * on first use anyway; loading them early keeps that off the first `docker run`).
 */
const GUEST_MODULES_LATE = [
  'veth', 'bridge', 'br_netfilter', 'nf_tables', 'nft_chain_nat', 'nft_masq', 'nft_nat', 'nft_ct',
  'nft_redir', 'nft_reject_inet', 'nft_fib_inet', 'nft_compat', 'nf_nat', 'nf_conntrack', 'nfnetlink',
  'xt_MASQUERADE', 'xt_conntrack', 'xt_addrtype', 'tun', 'virtio_console', 'vsock',
  'vmw_vsock_virtio_transport', 'fuse', 'virtiofs', '9p', '9pnet_virtio',
];

const isLink = (p) => fs.lstatSync(p, { throwIfNoEntry: false })?.isSymbolicLink() ?? false;

/** Unpacks every .deb (files: { name: path }) into a fresh root and returns its path. */
export function unpackRoot(ctx, files) {
  step(`unpacking ${Object.keys(files).length} packages`);
  fs.rmSync(ctx.paths.stage, { recursive: true, force: true });
  const root = path.join(ctx.paths.stage, 'root');
  fs.mkdirSync(root, { recursive: true });
  for (const n of Object.keys(files).sort()) run('dpkg-deb', ['-x', files[n], root]);
  mergeUsr(root);
  return root;
}

/** Moves /bin, /sbin, /lib* into /usr and leaves symlinks, like Debian's merged-/usr layout. */
function mergeUsr(root) {
  for (const d of ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32']) {
    const top = path.join(root, d);
    const st = fs.lstatSync(top, { throwIfNoEntry: false });
    if (st?.isSymbolicLink()) continue;
    if (st?.isDirectory()) {
      fs.mkdirSync(path.join(root, 'usr', d), { recursive: true });
      run('cp', ['-a', '--', `${top}/.`, path.join(root, 'usr', d)]);
      fs.rmSync(top, { recursive: true });
    }
    if (st || ['bin', 'sbin', 'lib'].includes(d) || fs.existsSync(path.join(root, 'usr', d))) {
      fs.mkdirSync(path.join(root, 'usr', d), { recursive: true });
      fs.symlinkSync(`usr/${d}`, top);
    }
  }
}

/** Docs, manuals, locales, lintian overrides, maintainer machinery: not read at run time. */
export function stripRoot(ctx, root) {
  for (const d of [`usr/lib/${ctx.multiarch}/gconv`, 'usr/share/doc', 'usr/share/man', 'usr/share/info', 'usr/share/locale', 'usr/share/lintian', 'usr/share/bug', 'usr/share/bash-completion', 'usr/share/zsh', 'usr/share/gdb', 'usr/share/apport', 'usr/share/initramfs-tools', 'etc/init.d', 'etc/cron.daily', 'usr/lib/systemd', 'etc/systemd', 'etc/kernel', 'usr/share/doc-base']) {
    fs.rmSync(path.join(root, d), { recursive: true, force: true });
  }
}

/** busybox: every applet no Debian package provides, as a symlink in /usr/bin or /usr/sbin. */
export function installBusybox(root) {
  const bb = path.join(root, 'usr/bin/busybox');
  if (!fs.existsSync(bb)) fail('busybox-static did not install /bin/busybox');
  // The applet list: run the target's busybox when it runs here, else the host's (Debian builds
  // busybox-static with one config for every architecture).
  let list = spawnSync(bb, ['--list-full'], { encoding: 'utf8' }).stdout;
  if (!list) {
    const hostBb = ['/usr/bin/busybox', '/bin/busybox'].find((f) => fs.existsSync(f));
    list = hostBb ? spawnSync(hostBb, ['--list-full'], { encoding: 'utf8' }).stdout : '';
  }
  if (!list) fail('cannot list busybox applets');
  for (const rel of list.split('\n').filter(Boolean)) {
    const name = path.basename(rel);
    const exists = ['usr/bin', 'usr/sbin'].some((d) => fs.existsSync(path.join(root, d, name)) || isLink(path.join(root, d, name)));
    if (exists || name === 'busybox') continue;
    const dir = rel.includes('sbin/') ? 'usr/sbin' : 'usr/bin';
    fs.mkdirSync(path.join(root, dir), { recursive: true });
    fs.symlinkSync('/usr/bin/busybox', path.join(root, dir, name));
  }
}

/** The CA bundle update-ca-certificates would build, and OpenSSL's default paths onto it. */
export function installCaBundle(root) {
  const dir = path.join(root, 'usr/share/ca-certificates');
  const certs = [];
  const walk = (d) => {
    for (const f of fs.readdirSync(d).sort()) {
      const p = path.join(d, f);
      if (fs.statSync(p).isDirectory()) walk(p);
      else if (f.endsWith('.crt')) certs.push(fs.readFileSync(p, 'utf8').trim() + '\n');
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  fs.mkdirSync(path.join(root, 'etc/ssl/certs'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/ssl/certs/ca-certificates.crt'), certs.join(''));
  fs.mkdirSync(path.join(root, 'usr/lib/ssl'), { recursive: true });
  for (const [name, target] of [['certs', '/etc/ssl/certs'], ['cert.pem', '/etc/ssl/certs/ca-certificates.crt']]) {
    const p = path.join(root, 'usr/lib/ssl', name);
    if (!fs.existsSync(p) && !isLink(p)) fs.symlinkSync(target, p);
  }
}

/** The engine bundle (entries from bundleEngine) and guest-util under /opt/berth; returns that dir. */
export function installEngine(ctx, root, bundleDir, entries) {
  const opt = path.join(root, 'opt/berth');
  fs.mkdirSync(opt, { recursive: true });
  for (const e of entries) fs.copyFileSync(path.join(bundleDir, `${e}.mjs`), path.join(opt, `${e}.mjs`));
  for (const f of ['guest-util.mjs']) fs.copyFileSync(path.join(ctx.paths.guest, f), path.join(opt, f));
  fs.writeFileSync(path.join(opt, 'package.json'), '{"type":"module","private":true}\n');
  return opt;
}

/** berth-init, /etc, the directories the guest mounts onto; dep: the kernel's modules (kernel.mjs). */
export function installGuestFiles(ctx, root, dep) {
  const w = (rel, text, mode = 0o644) => {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.rmSync(p, { force: true });
    fs.writeFileSync(p, text, { mode });
    fs.chmodSync(p, mode);
  };
  w('usr/sbin/berth-init', fs.readFileSync(path.join(ctx.paths.guest, 'berth-init.sh'), 'utf8'), 0o755);
  w('etc/acpi/PWRF/00000080', '#!/bin/sh\nexec /usr/bin/busybox poweroff\n', 0o755);
  // x86's power button reaches acpid as ACPI; arm64's `virt` under -kernel has no ACPI (see the script).
  if (ctx.arch === 'arm64') w('usr/sbin/berth-powerkey', fs.readFileSync(path.join(ctx.paths.guest, 'berth-powerkey.sh'), 'utf8'), 0o755);
  w('etc/hostname', 'berth\n');
  w('etc/hosts', '127.0.0.1\tlocalhost\n127.0.1.1\tberth\n::1\tlocalhost ip6-localhost ip6-loopback\n');
  w('etc/resolv.conf', 'nameserver 10.0.2.3\n');
  w('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n');
  w('etc/group', 'root:x:0:\nnogroup:x:65534:\n');
  w('etc/shadow', 'root:*:19000:0:99999:7:::\n', 0o600);
  w('etc/nsswitch.conf', 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\nprotocols: files\nservices: files\n');
  w('etc/os-release', 'PRETTY_NAME="Berth VM (Debian 12 packages)"\nNAME="Berth"\nID=berth\nID_LIKE=debian\nVERSION_ID="12"\n');
  w('etc/profile', 'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin\nexport DOCKER_HOST=unix:///run/berth/docker.sock\nPS1="berth-vm:\\w# "\n');
  // The modules berth-init loads, filtered to what this kernel has.
  w('etc/berth/modules.early', GUEST_MODULES_EARLY.filter((m) => dep[m]).join('\n') + '\n');
  w('etc/berth/modules.late', GUEST_MODULES_LATE.filter((m) => dep[m]).join('\n') + '\n');
  for (const d of ['proc', 'sys', 'dev', 'run', 'tmp', 'mnt', 'root', 'var/lib/berth', 'var/log', 'var/tmp', 'home', 'srv', 'media', 'usr/local/bin', 'etc/berth']) {
    fs.mkdirSync(path.join(root, d), { recursive: true });
  }
  fs.chmodSync(path.join(root, 'tmp'), 0o1777);
  fs.chmodSync(path.join(root, 'var/tmp'), 0o1777);
  fs.chmodSync(path.join(root, 'root'), 0o700);
  for (const [link, target] of [['var/run', '/run'], ['sbin/init', '/usr/bin/busybox']]) {
    const p = path.join(root, link);
    if (!fs.existsSync(p) && !isLink(p)) fs.symlinkSync(target, p);
  }
}

/** Writes out/<arch>/root.erofs.new from root and returns its path. */
export function buildErofs(ctx, root) {
  const erofs = path.join(ctx.paths.archDir, 'root.erofs.new');
  // Uncompressed by default: under TCG the guest kernel's LZ4 decompression doubled Node's cold
  // start (4.8 s vs 2.1 s for `node -e 0`); --compress halves the file for shipping instead.
  step(`mkfs.erofs${ctx.opts.compress ? ' (lz4hc)' : ' (uncompressed)'}`);
  fs.rmSync(erofs, { force: true });
  const args = ['--all-root', '-T0', '-U', '6b657274-6865-7262-6572-746800000001', '-Eforce-inode-compact', '--quiet'];
  if (ctx.opts.compress) args.push('-zlz4hc,12');
  run('mkfs.erofs', [...args, erofs, root]);
  return erofs;
}
