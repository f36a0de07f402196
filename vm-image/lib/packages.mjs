// The guest's Debian packages: which ones (roots, pins, exclusions), the lock file that fixes their
// versions per architecture, dependency resolution through apt-cache, and the .debs in the cache.
import fs from 'node:fs';
import path from 'node:path';
import { fail, run, step } from './run.mjs';

/** Packages asked for by name; their Depends/Pre-Depends are resolved recursively. */
export function rootPackages(arch) {
  return [
    `linux-image-cloud-${arch}`, // meta package: replaced by the versioned image it depends on
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
    // arm64's power button is a GPIO line (guest/berth-powerkey.sh waits on it with gpiomon).
    ...(arch === 'arm64' ? ['gpiod'] : []),
  ];
}
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

const bare = (name) => name.replace(/:(any|amd64|arm64|all|native)$/, '');
const isKernelImage = (name) => /^linux-image-\d/.test(name);
export const kernelPackage = (pkgs) => Object.keys(pkgs).find(isKernelImage);

// ---------------------------------------------------------------------------------------------
// Lock file: `[arch]` sections of `name=version` lines, sorted.

export function readLock(file) {
  const lock = {};
  if (!fs.existsSync(file)) return lock;
  let section = null;
  for (const raw of fs.readFileSync(file, 'utf8').split('\n')) {
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

export function writeLock(file, lock) {
  let text = '# Debian packages in the Berth guest image, per architecture (vm-image/build.mjs).\n';
  text += '# Reused as-is by every build; refresh with `npm run vm-image -- --update-lock`.\n';
  for (const arch of Object.keys(lock).sort()) {
    text += `\n[${arch}]\n`;
    for (const name of Object.keys(lock[arch]).sort()) text += `${name}=${lock[arch][name]}\n`;
  }
  fs.writeFileSync(file, text);
}

/** A lock that names every root (the kernel as its versioned image) is used as-is, with no apt queries. */
export function lockCoversRoots(arch, locked) {
  return rootPackages(arch).every((r) => (r.startsWith('linux-image-cloud-') ? !!kernelPackage(locked) : r in locked));
}

/**
 * apt names an `Architecture: all` package without an architecture (`ca-certificates:arm64` has no
 * candidate), so a foreign build learns which of names those are (into ctx.archAll, which ctx.aq
 * reads) before it asks apt about them.
 */
function learnArchAll(ctx, names) {
  const ask = names.filter((n) => !ctx.archAll.has(n) && !ctx.archAny.has(n));
  if (!ctx.foreign || !ask.length) return;
  const out = run('apt-cache', ['show', '--no-all-versions', ...ask], { allowFail: true });
  for (const stanza of out.split('\n\n')) {
    const name = /^Package: (\S+)$/m.exec(stanza)?.[1];
    if (name) (/^Architecture: all$/m.test(stanza) ? ctx.archAll : ctx.archAny).add(name);
  }
  for (const n of ask) if (!ctx.archAll.has(n)) ctx.archAny.add(n);
}

// ---------------------------------------------------------------------------------------------
// Dependency resolution: breadth first over `apt-cache depends` of exact versions, so the version
// we picked (the lock's, a pin's, the other architecture's, or apt's candidate) decides the
// dependencies, not apt's candidate.

/** { name: [version, ...] } for every version apt knows of each name (newest first), one apt-cache call. */
function availableVersions(ctx, names) {
  const result = Object.fromEntries(names.map((n) => [n, []]));
  if (!names.length) return result;
  const out = run('apt-cache', ['madison', ...names.map(ctx.aq)], { allowFail: true });
  for (const line of out.split('\n')) {
    const parts = line.split('|').map((s) => s.trim());
    const name = bare(parts[0]);
    if (parts.length < 3 || !result[name]) continue;
    const forArch = parts[2].includes(` ${ctx.arch} `) || parts[2].includes(' all ');
    if (forArch && !result[name].includes(parts[1])) result[name].push(parts[1]);
  }
  return result;
}

function candidates(ctx, names) {
  const out = run('apt-cache', ['policy', ...names.map(ctx.aq)]);
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

/**
 * The version another architecture's section has, or the same source built again for this one
 * (a binNMU adds `+bN` per architecture): both images then ship the same sources.
 */
function sameSource(version, available) {
  const src = (v) => v.replace(/\+b\d+$/, '');
  return available.find((v) => v === version) ?? available.find((v) => src(v) === src(version)) ?? null;
}

function chooseVersions(ctx, batch, locked, sibling) {
  const ask = batch.filter((n) => !locked[n] && (PINS[n] || sibling[n]));
  const available = availableVersions(ctx, ask);
  const cands = candidates(ctx, batch.filter((n) => !locked[n]));
  const chosen = {};
  for (const name of batch) {
    let v = locked[name];
    if (!v && PINS[name]) {
      v = PINS[name](available[name]);
      if (!v) fail(`no version of ${name} matches its pin`);
    }
    if (!v && sibling[name]) v = sameSource(sibling[name], available[name]);
    v ??= cands[name];
    if (!v) fail(`apt knows no installable version of ${name} for ${ctx.arch} (apt-get update? dpkg --add-architecture?)`);
    chosen[name] = v;
  }
  return chosen;
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

/**
 * The versioned kernel image behind `linux-image-cloud-<arch>`: the lock's; else the one with the
 * other architecture's ABI and version, when this architecture has it; else today's.
 */
function kernelImage(ctx, locked, sibling) {
  const own = kernelPackage(locked);
  if (own) return { name: own, version: locked[own] };
  const other = kernelPackage(sibling);
  if (other) {
    const name = other.replace(/-(amd64|arm64)$/, `-${ctx.arch}`);
    const v = sameSource(sibling[other], availableVersions(ctx, [name])[name]);
    if (v) return { name, version: v };
  }
  const meta = `linux-image-cloud-${ctx.arch}`;
  const deps = parseDepends(run('apt-cache', ['depends', ctx.aq(meta)]));
  const img = (deps[meta] ?? []).flat().find((a) => isKernelImage(a.name));
  if (!img) fail(`cannot find the kernel image ${meta} depends on`);
  return { name: img.name, version: null };
}

/**
 * { name: version } for the roots and their dependencies. locked: this architecture's lock
 * section (kept as is); sibling: the other architectures' sections (preferred where available).
 */
export function resolvePackages(ctx, locked, sibling = {}) {
  const chosen = {};
  const kernel = kernelImage(ctx, locked, sibling);
  if (kernel.version) locked = { ...locked, [kernel.name]: kernel.version };
  let queue = rootPackages(ctx.arch).map((n) => (n.startsWith('linux-image-cloud-') ? kernel.name : n));
  while (queue.length) {
    const batch = [...new Set(queue)].filter((n) => !(n in chosen) && !EXCLUDE.has(n));
    queue = [];
    if (!batch.length) break;
    learnArchAll(ctx, batch);
    Object.assign(chosen, chooseVersions(ctx, batch, locked, sibling));
    const specs = batch.map((n) => `${ctx.aq(n)}=${chosen[n]}`);
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
// The .deb cache: out/cache/<arch>/, kept across builds.

function debFile(ctx, name, version) {
  const v = version.replace(/:/g, '%3a');
  for (const a of [ctx.arch, 'all']) {
    const f = path.join(ctx.paths.cache, `${name}_${v}_${a}.deb`);
    if (fs.existsSync(f)) return f;
  }
  return null;
}

/** { name: path of its .deb } for pkgs ({ name: version }), fetching what the cache lacks. */
export function download(ctx, pkgs) {
  fs.mkdirSync(ctx.paths.cache, { recursive: true });
  const missing = Object.entries(pkgs).filter(([n, v]) => !debFile(ctx, n, v));
  if (missing.length) {
    learnArchAll(ctx, missing.map(([n]) => n));
    step(`downloading ${missing.length} packages with apt-get download`);
    run('apt-get', ['download', '-q', ...missing.map(([n, v]) => `${ctx.aq(n)}=${v}`)], { cwd: ctx.paths.cache, stdio: ['ignore', 'ignore', 'pipe'] });
  }
  const files = {};
  for (const [n, v] of Object.entries(pkgs)) {
    files[n] = debFile(ctx, n, v);
    if (!files[n]) fail(`apt-get download did not produce ${n} ${v}`);
  }
  return files;
}
