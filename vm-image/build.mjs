#!/usr/bin/env node
// `npm run vm-image [-- --arch amd64|arm64] [--update-lock] [--force] [--compress] [--keep-stage]`
//
// Builds Berth's guest from Debian packages only: the kernel, a small stage-1 initramfs and a
// read-only erofs root holding busybox, Node (Debian 12's 18.x), crun, iproute2, nftables,
// e2fsprogs, kmod, the kernel's modules (with a generated modules.dep) and the engine bundled with
// esbuild. Outputs land in vm-image/out/<arch>/ with a manifest.json; the build is skipped when the
// lock, the engine bundle and the image's own sources are unchanged. See vm-image/README.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.dirname(HERE);
const OUT = path.join(HERE, 'out');
const LOCK_FILE = path.join(HERE, 'packages.lock');
const GUEST = path.join(HERE, 'guest');

const MULTIARCH = { amd64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' };
const HOST_ARCH = { x64: 'amd64', arm64: 'arm64' }[process.arch];
const { values: opts } = parseArgs({
  options: {
    arch: { type: 'string', default: HOST_ARCH },
    'update-lock': { type: 'boolean', default: false },
    force: { type: 'boolean', default: false },
    compress: { type: 'boolean', default: false },
    'keep-stage': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});
if (opts.help) {
  console.log('usage: npm run vm-image [-- --arch amd64|arm64] [--update-lock] [--force] [--compress] [--keep-stage]');
  process.exit(0);
}
const ARCH = opts.arch;
if (ARCH !== 'amd64' && ARCH !== 'arm64') fail(`--arch must be amd64 or arm64, not ${ARCH}`);
const FOREIGN = ARCH !== HOST_ARCH;
const ARCH_DIR = path.join(OUT, ARCH);
const CACHE = path.join(OUT, 'cache', ARCH);
const STAGE = path.join(ARCH_DIR, 'stage');
const t0 = Date.now();

// ---------------------------------------------------------------------------------------------
// What goes into the root filesystem.

/** Packages asked for by name; their Depends/Pre-Depends are resolved recursively. */
const ROOTS = [
  `linux-image-cloud-${ARCH}`, // meta package: replaced by the versioned image it depends on
  'busybox-static',
  'nodejs',
  'crun',
  'iproute2',
  'nftables',
  'e2fsprogs',
  'kmod',
  'ca-certificates',
  'procps', // `docker top` runs `ps -ef`; busybox ps lacks most options
  'attr', // setfattr/getfattr for layer xattrs
  'tini', // `docker run --init`
];
/** Pins where apt's candidate is wrong: this host has nodesource's 20 installed; the guest uses Debian's 18. */
const PINS = { nodejs: (versions) => versions.find((v) => /^18\..*dfsg/.test(v)) };
/**
 * Dependencies we never ship: package-management and boot-time machinery that only maintainer
 * scripts use (we never run those), and things busybox covers.
 */
const EXCLUDE = new Set([
  'debconf', 'cdebconf', 'debconf-2.0', 'dpkg', 'install-info', 'coreutils', 'tar', 'adduser', 'passwd',
  'perl-base', 'init-system-helpers', 'linux-base', 'linux-initramfs-tool', 'initramfs-tools',
  'initramfs-tools-core', 'dracut', 'dracut-core', 'tiny-initramfs', 'tiny-initramfs-core', 'klibc-utils',
  'libklibc', 'udev', 'cpio', 'openssl', 'libcap2-bin', 'libpam-modules', 'libpam-modules-bin', 'libpam0g',
  'libsemanage2', 'libsemanage-common', 'dmsetup', 'kpartx', 'logsave', 'libelogind0',
]);
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
/** Stage 1 loads these (and their dependencies) to find the root. */
const STAGE1_MODULES = ['virtio_pci', 'virtio_blk', 'virtio_mmio', 'erofs', 'overlay'];
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

// ---------------------------------------------------------------------------------------------

function fail(msg) {
  console.error(`vm-image: ${msg}`);
  process.exit(1);
}
function step(msg) {
  console.log(`[vm-image ${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${msg}`);
}
function run(cmd, args, o = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20, ...o });
  if (r.error) {
    if (r.error.code === 'ENOENT') fail(`${cmd} not found; install the host tools: apt-get install ${HOST_PACKAGES.join(' ')}`);
    throw r.error;
  }
  if (r.status !== 0 && !o.allowFail) {
    fail(`${cmd} ${args.join(' ')} failed (${r.status}):\n${(r.stderr || '').trim().slice(-3000)}`);
  }
  return r.stdout ?? '';
}
const HOST_PACKAGES = ['erofs-utils', 'cpio', 'kmod', 'zstd', 'g++', 'make', 'python3'];
const aq = (name) => (FOREIGN ? `${name}:${ARCH}` : name); // apt's name for a package of the target arch
const bare = (name) => name.replace(/:(any|amd64|arm64|all|native)$/, '');
const sha256 = (data) => createHash('sha256').update(data).digest('hex');

function checkHostTools() {
  const need = { 'apt-get': 'apt', 'apt-cache': 'apt', 'dpkg-deb': 'dpkg', 'mkfs.erofs': 'erofs-utils', cpio: 'cpio', depmod: 'kmod', zstd: 'zstd' };
  const missing = Object.entries(need).filter(([bin]) => spawnSync('sh', ['-c', `command -v ${bin} || test -x /usr/sbin/${bin} || test -x /sbin/${bin}`]).status !== 0);
  if (missing.length) fail(`missing host tools: ${missing.map(([b]) => b).join(', ')}; run: apt-get install ${[...new Set(missing.map(([, p]) => p))].join(' ')}`);
  if (FOREIGN) {
    const archs = run('dpkg', ['--print-foreign-architectures']).split('\n');
    if (!archs.includes(ARCH)) fail(`the host has no ${ARCH} packages: run 'dpkg --add-architecture ${ARCH} && apt-get update' first`);
  }
}

// ---------------------------------------------------------------------------------------------
// Lock file: `[arch]` sections of `name=version` lines, sorted.

function readLock() {
  const lock = {};
  if (!fs.existsSync(LOCK_FILE)) return lock;
  let section = null;
  for (const raw of fs.readFileSync(LOCK_FILE, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^\[(\w+)\]$/.exec(line);
    if (m) {
      section = lock[m[1]] = {};
    } else if (section) {
      const at = line.indexOf('=');
      section[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return lock;
}
function writeLock(lock) {
  let text = '# Debian packages in the Berth guest image, per architecture (vm-image/build.mjs).\n';
  text += '# Reused as-is by every build; refresh with `npm run vm-image -- --update-lock`.\n';
  for (const arch of Object.keys(lock).sort()) {
    text += `\n[${arch}]\n`;
    for (const name of Object.keys(lock[arch]).sort()) text += `${name}=${lock[arch][name]}\n`;
  }
  fs.writeFileSync(LOCK_FILE, text);
}

// ---------------------------------------------------------------------------------------------
// Dependency resolution: breadth first over `apt-cache depends` of exact versions, so the version
// we picked (the lock's, a pin's, or apt's candidate) decides the dependencies, not apt's candidate.

function availableVersions(name) {
  // `apt-cache madison` lists every version apt knows, newest first.
  const out = run('apt-cache', ['madison', aq(name)], { allowFail: true });
  const versions = [];
  for (const line of out.split('\n')) {
    const parts = line.split('|').map((s) => s.trim());
    if (parts.length < 3 || bare(parts[0]) !== name) continue;
    if ((parts[2].includes(` ${ARCH} `) || parts[2].includes(' all ')) && !versions.includes(parts[1])) versions.push(parts[1]);
  }
  return versions;
}
function candidates(names) {
  const out = run('apt-cache', ['policy', ...names.map(aq)]);
  const result = {};
  let cur = null;
  for (const line of out.split('\n')) {
    const head = /^(\S+):$/.exec(line);
    if (head) cur = bare(head[1]);
    const c = /^\s+Candidate: (\S+)/.exec(line);
    if (c && cur && c[1] !== '(none)') result[cur] = c[1];
  }
  return result;
}
function chooseVersion(name, locked) {
  if (locked[name]) return locked[name];
  if (PINS[name]) {
    const v = PINS[name](availableVersions(name));
    if (!v) fail(`no version of ${name} matches its pin`);
    return v;
  }
  return null; // apt's candidate
}
/** Parses `apt-cache depends` output into { pkg: [[alt, alt...], ...] } (each inner list an OR group). */
function parseDepends(out) {
  const result = {};
  let pkg = null;
  let group = null;
  let last = null; // the alternative whose providers follow
  for (const line of out.split('\n')) {
    if (!line.trim()) continue;
    if (!line.startsWith(' ')) {
      pkg = bare(line.trim().replace(/^<|>$/g, ''));
      result[pkg] = [];
      group = null;
      continue;
    }
    const dep = /^ ([ |])(\w+): (.+)$/.exec(line);
    if (dep) {
      const [, orFlag, kind, target] = dep;
      if (kind !== 'Depends' && kind !== 'PreDepends') {
        last = null;
        group = null;
        continue;
      }
      const virtual = target.startsWith('<');
      const alt = { name: bare(target.replace(/^<|>$/g, '')), virtual, providers: [] };
      if (!group) {
        group = [];
        result[pkg].push(group);
      }
      group.push(alt);
      last = alt;
      if (orFlag !== '|') group = null; // this alternative closes the group
      continue;
    }
    const prov = /^ {4}(\S+)$/.exec(line);
    if (prov && last) last.providers.push(bare(prov[1]));
  }
  return result;
}
function resolvePackages(locked) {
  const chosen = {}; // name -> version (null = candidate, filled in below)
  let queue = [...ROOTS];
  // The kernel meta package only points at today's versioned image: resolve that name once.
  const meta = `linux-image-cloud-${ARCH}`;
  const kernelLocked = Object.keys(locked).find((n) => /^linux-image-\d/.test(n));
  if (kernelLocked) {
    queue = queue.map((n) => (n === meta ? kernelLocked : n));
  } else {
    const deps = parseDepends(run('apt-cache', ['depends', aq(meta)]));
    const img = (deps[meta] ?? []).flat().find((a) => /^linux-image-\d/.test(a.name));
    if (!img) fail(`cannot find the kernel image ${meta} depends on`);
    queue = queue.map((n) => (n === meta ? img.name : n));
  }
  while (queue.length) {
    const batch = [...new Set(queue)].filter((n) => !(n in chosen) && !EXCLUDE.has(n));
    queue = [];
    if (!batch.length) break;
    const cands = candidates(batch);
    const specs = [];
    for (const name of batch) {
      const v = chooseVersion(name, locked) ?? cands[name];
      if (!v) fail(`apt knows no installable version of ${name} for ${ARCH} (apt-get update? dpkg --add-architecture?)`);
      chosen[name] = v;
      specs.push(`${aq(name)}=${v}`);
    }
    const deps = parseDepends(run('apt-cache', ['depends', '--no-recommends', '--no-suggests', '--no-conflicts', '--no-breaks', '--no-replaces', '--no-enhances', ...specs]));
    for (const name of batch) {
      for (const group of deps[name] ?? []) {
        // Already satisfied by something we ship, or by something we exclude on purpose?
        const names = group.flatMap((a) => (a.virtual ? a.providers : [a.name, ...a.providers]));
        if (names.some((n) => n in chosen || queue.includes(n))) continue;
        if (group.some((a) => EXCLUDE.has(a.name))) continue;
        const pick = names.find((n) => !EXCLUDE.has(n));
        if (pick) queue.push(pick);
      }
    }
  }
  return chosen;
}

// ---------------------------------------------------------------------------------------------
// Download and unpack.

function debFile(name, version) {
  const v = version.replace(/:/g, '%3a');
  for (const a of [ARCH, 'all']) {
    const f = path.join(CACHE, `${name}_${v}_${a}.deb`);
    if (fs.existsSync(f)) return f;
  }
  return null;
}
function download(pkgs) {
  fs.mkdirSync(CACHE, { recursive: true });
  const missing = Object.entries(pkgs).filter(([n, v]) => !debFile(n, v));
  if (missing.length) {
    step(`downloading ${missing.length} packages with apt-get download`);
    run('apt-get', ['download', '-q', ...missing.map(([n, v]) => `${aq(n)}=${v}`)], { cwd: CACHE, stdio: ['ignore', 'ignore', 'pipe'] });
  }
  const files = {};
  for (const [n, v] of Object.entries(pkgs)) {
    files[n] = debFile(n, v);
    if (!files[n]) fail(`apt-get download did not produce ${n} ${v}`);
  }
  return files;
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

// ---------------------------------------------------------------------------------------------
// The engine bundle (Node 18) and node-pty built for it.

async function bundleEngine(dir) {
  const { build } = await import(path.join(REPO, 'node_modules/esbuild/lib/main.js'));
  const entries = { agent: 'agent/src/main.ts', shim: 'agent/src/shim/main.ts' };
  // The link service (agent/src/link) ships when it exists; berth-init starts it if present.
  if (fs.existsSync(path.join(REPO, 'agent/src/link/main.ts'))) entries.link = 'agent/src/link/main.ts';
  fs.rmSync(dir, { recursive: true, force: true });
  await build({
    absWorkingDir: REPO,
    entryPoints: entries,
    outdir: dir,
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'esm',
    outExtension: { '.js': '.mjs' },
    // ssh2 (the link) tries its optional native helpers in try/catch and falls back to JS.
    external: ['node-pty', 'cpu-features', '*.node'],
    logLevel: 'warning',
    legalComments: 'none',
    // ESM bundles of CommonJS dependencies need a require(), __filename and __dirname of their own
    // (ssh2 reads __dirname at load time).
    banner: {
      js: "import { createRequire as __berthRequire } from 'node:module'; import { fileURLToPath as __berthPath } from 'node:url'; const require = __berthRequire(import.meta.url); const __berthFilename = __berthPath(import.meta.url); const __berthDirname = __berthFilename.replace(/\\/[^/]*$/, '');",
    },
    define: { __filename: '__berthFilename', __dirname: '__berthDirname' },
  });
  // Node 18 has neither import.meta.dirname/filename (20.11) nor some newer globals: fail loudly.
  for (const f of fs.readdirSync(dir)) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    for (const bad of ['import.meta.dirname', 'import.meta.filename']) {
      if (text.includes(bad)) fail(`${f} uses ${bad}, which Node 18 lacks`);
    }
  }
  return Object.keys(entries);
}

/**
 * node-pty 1.x is an N-API addon (node-addon-api), so one build works on Node 18 and 20; we still
 * compile it against the guest's own headers (Debian's libnode-dev, unpacked, never installed)
 * so it matches the guest's Node and libc, not the host's.
 */
function buildNodePty(pkgs, dest) {
  const ptySrc = path.join(REPO, 'node_modules/node-pty');
  const addonApi = path.join(REPO, 'node_modules/node-addon-api');
  if (!fs.existsSync(ptySrc)) fail('node_modules/node-pty is missing: run npm install first');
  const ptyVersion = JSON.parse(fs.readFileSync(path.join(ptySrc, 'package.json'), 'utf8')).version;
  const nodeVersion = pkgs.libnode108 ?? pkgs.nodejs;
  const key = sha256(`${ptyVersion} ${nodeVersion} ${ARCH}`).slice(0, 16);
  const cached = path.join(OUT, 'cache', `node-pty-${ARCH}-${key}`);
  if (!fs.existsSync(path.join(cached, 'build/Release/pty.node'))) {
    if (FOREIGN) {
      return { ok: false, why: `node-pty is not cross-compiled for ${ARCH} yet (needs g++-aarch64-linux-gnu); TTY containers will fail in this image` };
    }
    step(`building node-pty ${ptyVersion} for Node ${nodeVersion} (libnode-dev headers)`);
    const dev = download({ 'libnode-dev': nodeVersion })['libnode-dev'];
    const devDir = path.join(OUT, 'cache', `libnode-dev-${ARCH}`);
    fs.rmSync(devDir, { recursive: true, force: true });
    run('dpkg-deb', ['-x', dev, devDir]);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-pty-'));
    const work = path.join(tmp, 'node_modules/node-pty');
    fs.mkdirSync(path.dirname(work), { recursive: true });
    run('cp', ['-a', ptySrc, work]);
    run('cp', ['-a', addonApi, path.join(tmp, 'node_modules/node-addon-api')]);
    fs.rmSync(path.join(work, 'build'), { recursive: true, force: true });
    fs.rmSync(path.join(work, 'node-addon-api'), { recursive: true, force: true });
    const gyp = [path.join(REPO, 'node_modules/node-gyp/bin/node-gyp.js'), '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'].find((f) => fs.existsSync(f));
    if (!gyp) return { ok: false, why: 'node-gyp not found (neither in node_modules nor in npm)' };
    const r = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${path.join(devDir, 'usr')}`], { cwd: work, encoding: 'utf8' });
    if (r.status !== 0) return { ok: false, why: `node-gyp failed:\n${(r.stderr || r.stdout).slice(-2000)}` };
    fs.rmSync(cached, { recursive: true, force: true });
    fs.mkdirSync(path.join(cached, 'build/Release'), { recursive: true });
    fs.copyFileSync(path.join(work, 'build/Release/pty.node'), path.join(cached, 'build/Release/pty.node'));
    run('cp', ['-a', path.join(work, 'lib'), path.join(work, 'package.json'), path.join(work, 'LICENSE'), cached]);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  run('cp', ['-a', cached, dest]);
  // Tests and source maps are dead weight in the image.
  for (const f of fs.readdirSync(path.join(dest, 'lib'))) {
    if (f.endsWith('.test.js') || f.endsWith('.map')) fs.rmSync(path.join(dest, 'lib', f), { recursive: true, force: true });
  }
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------
// Kernel modules.

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
/** The modules' files in load order (dependencies first) for the named modules that exist. */
function moduleClosure(dep, names) {
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

// ---------------------------------------------------------------------------------------------
// The build.

function hashTree(dir, h) {
  for (const f of fs.readdirSync(dir).sort()) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isDirectory()) hashTree(p, h);
    else h.update(`${path.relative(HERE, p)}\0`).update(fs.readFileSync(p));
  }
}
function fmt(bytes) {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

async function main() {
  checkHostTools();
  const lock = readLock();
  const locked = opts['update-lock'] ? {} : (lock[ARCH] ?? {});
  step(`resolving packages for ${ARCH}${Object.keys(locked).length ? ' (from packages.lock)' : ''}`);
  // A complete lock is used as it is (reproducible, and no apt queries); a new root package or
  // --update-lock resolves again, keeping the locked versions of what stays.
  const lockedRoots = ROOTS.every((r) => r.startsWith('linux-image-cloud-') ? Object.keys(locked).some((n) => /^linux-image-\d/.test(n)) : r in locked);
  const pkgs = lockedRoots ? { ...locked } : resolvePackages(locked);
  const kernelPkg = Object.keys(pkgs).find((n) => /^linux-image-\d/.test(n));
  const kver = kernelPkg.replace(/^linux-image-/, '');
  if (JSON.stringify(lock[ARCH]) !== JSON.stringify(Object.fromEntries(Object.entries(pkgs).sort()))) {
    lock[ARCH] = pkgs;
    writeLock(lock);
    step(`wrote packages.lock [${ARCH}] (${Object.keys(pkgs).length} packages)`);
  }

  // The engine bundle is rebuilt every time (esbuild takes about a second); the image only when
  // its inputs changed.
  const bundleDir = path.join(ARCH_DIR, 'bundle');
  fs.mkdirSync(ARCH_DIR, { recursive: true });
  const entries = await bundleEngine(bundleDir);
  const h = createHash('sha256');
  h.update(`${ARCH}\0${opts.compress}\0`);
  h.update(Object.entries(pkgs).sort().map(([n, v]) => `${n}=${v}`).join('\n'));
  for (const f of fs.readdirSync(bundleDir).sort()) h.update(f).update(fs.readFileSync(path.join(bundleDir, f)));
  h.update(fs.readFileSync(fileURLToPath(import.meta.url)));
  hashTree(GUEST, h);
  h.update(JSON.stringify(JSON.parse(fs.readFileSync(path.join(REPO, 'node_modules/node-pty/package.json'), 'utf8')).version));
  const inputHash = h.digest('hex');
  const lockHash = sha256(Object.entries(pkgs).sort().map(([n, v]) => `${n}=${v}`).join('\n'));

  const outputs = ['vmlinuz', 'initrd.img', 'root.erofs', 'floor-initrd.img'].map((f) => path.join(ARCH_DIR, f));
  const manifestPath = path.join(ARCH_DIR, 'manifest.json');
  const prev = fs.existsSync(manifestPath) ? JSON.parse(fs.readFileSync(manifestPath, 'utf8')) : null;
  if (!opts.force && prev?.inputHash === inputHash && outputs.every((f) => fs.existsSync(f))) {
    step(`up to date (inputs ${inputHash.slice(0, 12)}); use --force to rebuild`);
    printSizes(prev);
    return;
  }

  const files = download(pkgs);
  step(`unpacking ${Object.keys(files).length} packages`);
  fs.rmSync(STAGE, { recursive: true, force: true });
  const root = path.join(STAGE, 'root');
  fs.mkdirSync(root, { recursive: true });
  for (const n of Object.keys(files).sort()) run('dpkg-deb', ['-x', files[n], root]);
  mergeUsr(root);

  // Kernel out of the root; prune modules; generate modules.dep for what is left.
  fs.copyFileSync(path.join(root, 'boot', `vmlinuz-${kver}`), path.join(ARCH_DIR, 'vmlinuz.new'));
  const kconfig = fs.readFileSync(path.join(root, 'boot', `config-${kver}`), 'utf8');
  fs.rmSync(path.join(root, 'boot'), { recursive: true });
  const modRoot = path.join(root, 'usr/lib/modules', kver);
  for (const p of MODULE_PRUNE) fs.rmSync(path.join(modRoot, 'kernel', p), { recursive: true, force: true });
  run('depmod', ['-b', root, kver]);
  const dep = readModulesDep(root, kver);

  // Docs, manuals, locales, lintian overrides: not read at run time.
  for (const d of [`usr/lib/${MULTIARCH[ARCH]}/gconv`, 'usr/share/doc', 'usr/share/man', 'usr/share/info', 'usr/share/locale', 'usr/share/lintian', 'usr/share/bug', 'usr/share/bash-completion', 'usr/share/zsh', 'usr/share/gdb', 'usr/share/apport', 'usr/share/initramfs-tools', 'etc/init.d', 'etc/cron.daily', 'usr/lib/systemd', 'etc/systemd', 'etc/kernel', 'usr/share/doc-base']) {
    fs.rmSync(path.join(root, d), { recursive: true, force: true });
  }

  // busybox: every applet no Debian package provides, as a symlink in /usr/bin.
  installBusybox(root);
  // CA bundle (what update-ca-certificates would build) and OpenSSL's default paths onto it.
  installCaBundle(root);

  // Our files.
  step('installing the engine bundle, node-pty and the guest init');
  const opt = path.join(root, 'opt/berth');
  fs.mkdirSync(opt, { recursive: true });
  for (const e of entries) fs.copyFileSync(path.join(bundleDir, `${e}.mjs`), path.join(opt, `${e}.mjs`));
  for (const f of ['guest-util.mjs']) fs.copyFileSync(path.join(GUEST, f), path.join(opt, f));
  fs.writeFileSync(path.join(opt, 'package.json'), '{"type":"module","private":true}\n');
  const pty = buildNodePty(pkgs, path.join(opt, 'node_modules/node-pty'));
  if (!pty.ok) console.warn(`vm-image: WARNING: ${pty.why}`);
  installGuestFiles(root, dep);

  // Root filesystem.
  const erofs = path.join(ARCH_DIR, 'root.erofs.new');
  // Uncompressed by default: under TCG the guest kernel's LZ4 decompression doubled Node's cold
  // start (4.8 s vs 2.1 s for `node -e 0`); --compress halves the file for shipping instead.
  step(`mkfs.erofs${opts.compress ? ' (lz4hc)' : ' (uncompressed)'}`);
  fs.rmSync(erofs, { force: true });
  const erofsArgs = ['--all-root', '-T0', '-U', '6b657274-6865-7262-6572-746800000001', '-Eforce-inode-compact', '--quiet'];
  if (opts.compress) erofsArgs.push('-zlz4hc,12');
  run('mkfs.erofs', [...erofsArgs, erofs, root]);

  // Stage-1 initramfs.
  step('stage-1 initramfs');
  const initrd = buildInitramfs(root, dep, kconfig, kver);
  const floor = buildFloorInitramfs(root, kconfig);

  for (const [from, to] of [[path.join(ARCH_DIR, 'vmlinuz.new'), outputs[0]], [initrd, outputs[1]], [erofs, outputs[2]], [floor, outputs[3]]]) fs.renameSync(from, to);
  const manifest = {
    arch: ARCH,
    kernel: { package: kernelPkg, version: pkgs[kernelPkg], release: kver },
    node: pkgs.nodejs,
    nodePty: pty.ok ? 'built for the guest Node' : `missing: ${pty.why}`,
    engine: entries.map((e) => `/opt/berth/${e}.mjs`),
    files: Object.fromEntries(outputs.map((f) => [path.basename(f), { bytes: fs.statSync(f).size, sha256: sha256(fs.readFileSync(f)) }])),
    rootUnpackedBytes: Number(run('du', ['-sb', root]).split('\t')[0]),
    packages: Object.keys(pkgs).length,
    lockHash,
    inputHash,
    builtAt: new Date().toISOString(),
    buildSeconds: Math.round((Date.now() - t0) / 100) / 10,
  };
  fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  if (!opts['keep-stage']) fs.rmSync(STAGE, { recursive: true, force: true });
  step('done');
  printSizes(manifest);
}

function printSizes(m) {
  const f = m.files;
  console.log(`  ${path.relative(REPO, ARCH_DIR)}/  kernel ${m.kernel.release}, node ${m.node}`);
  for (const [name, { bytes }] of Object.entries(f)) console.log(`    ${name.padEnd(17)} ${fmt(bytes).padStart(10)}`);
  const total = Object.values(f).reduce((a, b) => a + b.bytes, 0);
  console.log(`    ${'total'.padEnd(17)} ${fmt(total).padStart(10)}   (root unpacked ${fmt(m.rootUnpackedBytes)}, ${m.packages} packages)`);
}

function installBusybox(root) {
  const bb = path.join(root, 'usr/bin/busybox');
  if (!fs.existsSync(bb)) fail('busybox-static did not install /bin/busybox');
  // The applet list: run the target's busybox when it runs here, else the host-arch cache's.
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
const isLink = (p) => fs.lstatSync(p, { throwIfNoEntry: false })?.isSymbolicLink() ?? false;

function installCaBundle(root) {
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

function installGuestFiles(root, dep) {
  const w = (rel, text, mode = 0o644) => {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.rmSync(p, { force: true });
    fs.writeFileSync(p, text, { mode });
    fs.chmodSync(p, mode);
  };
  w('usr/sbin/berth-init', fs.readFileSync(path.join(GUEST, 'berth-init.sh'), 'utf8'), 0o755);
  w('etc/acpi/PWRF/00000080', '#!/bin/sh\nexec /usr/bin/busybox poweroff\n', 0o755);
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

function buildInitramfs(root, dep, kconfig, kver) {
  const dir = path.join(STAGE, 'initramfs');
  fs.rmSync(dir, { recursive: true, force: true });
  for (const d of ['bin', 'dev', 'proc', 'sys', 'ro', 'rw', 'newroot', 'lib/modules']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  fs.copyFileSync(path.join(root, 'usr/bin/busybox'), path.join(dir, 'bin/busybox'));
  fs.chmodSync(path.join(dir, 'bin/busybox'), 0o755);
  fs.symlinkSync('busybox', path.join(dir, 'bin/sh'));
  const order = moduleClosure(dep, STAGE1_MODULES);
  const names = [];
  for (const rel of order) {
    const src = path.join(root, 'usr/lib/modules', kver, rel);
    const base = path.basename(rel);
    fs.copyFileSync(src, path.join(dir, 'lib/modules', base));
    names.push(base);
  }
  fs.writeFileSync(path.join(dir, 'modules'), names.join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'init'), fs.readFileSync(path.join(GUEST, 'stage1-init.sh'), 'utf8'), { mode: 0o755 });
  return writeCpio(dir, kconfig, path.join(ARCH_DIR, 'initrd.img.new'));
}

/** The benchmark floor: the same kernel, an initramfs whose /init is busybox powering off at once. */
function buildFloorInitramfs(root, kconfig) {
  const dir = path.join(STAGE, 'floor');
  fs.rmSync(dir, { recursive: true, force: true });
  for (const d of ['bin', 'dev', 'proc']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  fs.copyFileSync(path.join(root, 'usr/bin/busybox'), path.join(dir, 'bin/busybox'));
  fs.chmodSync(path.join(dir, 'bin/busybox'), 0o755);
  fs.writeFileSync(path.join(dir, 'init'), '#!/bin/busybox sh\n/bin/busybox mount -t proc proc /proc\nread up _ </proc/uptime\necho "BERTH-FLOOR t=${up}s"\n/bin/busybox poweroff -f\n', { mode: 0o755 });
  return writeCpio(dir, kconfig, path.join(ARCH_DIR, 'floor-initrd.img.new'));
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

await main();
