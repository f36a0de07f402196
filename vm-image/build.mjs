#!/usr/bin/env node
// `npm run vm-image [-- --arch amd64|arm64] [--update-lock] [--force] [--compress] [--keep-stage]`
//
// Builds Berth's guest from Debian packages only: the kernel, a small stage-1 initramfs and a
// read-only erofs root holding busybox, Node (Debian 12's 18.x), crun, iproute2, nftables,
// e2fsprogs, kmod, the kernel's modules (with a generated modules.dep) and the engine bundled with
// esbuild. Outputs land in vm-image/out/<arch>/ with a manifest.json; the build is skipped when the
// lock, the engine bundle and the image's own sources are unchanged. See vm-image/README.md.
// The steps live in lib/; each takes the build context made here (arch, paths, options).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleEngine } from './lib/engine-bundle.mjs';
import { buildFloorInitramfs, buildInitramfs } from './lib/initramfs.mjs';
import { extractKernel } from './lib/kernel.mjs';
import { buildNodePty } from './lib/node-pty.mjs';
import { download, kernelPackage, lockCoversRoots, readLock, resolvePackages, writeLock } from './lib/packages.mjs';
import { buildErofs, installBusybox, installCaBundle, installEngine, installGuestFiles, stripRoot, unpackRoot } from './lib/root-image.mjs';
import { elapsedSeconds, fail, run, sha256, step } from './lib/run.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MULTIARCH = { amd64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' };
const HOST_ARCH = { x64: 'amd64', arm64: 'arm64' }[process.arch];
const OUTPUTS = ['vmlinuz', 'initrd.img', 'root.erofs', 'floor-initrd.img'];

function parseOptions() {
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
  if (opts.arch !== 'amd64' && opts.arch !== 'arm64') fail(`--arch must be amd64 or arm64, not ${opts.arch}`);
  return opts;
}

/** What every step needs: the target architecture, where things go, and the options. */
function buildContext(opts) {
  const arch = opts.arch;
  const foreign = arch !== HOST_ARCH;
  const out = path.join(HERE, 'out');
  const archDir = path.join(out, arch);
  const archAll = new Set();
  return {
    arch,
    foreign,
    multiarch: MULTIARCH[arch],
    opts,
    paths: {
      repo: path.dirname(HERE),
      out,
      archDir,
      cache: path.join(out, 'cache', arch), // .debs, kept across builds
      stage: path.join(archDir, 'stage'), // the unpacked tree, removed after the build
      guest: path.join(HERE, 'guest'),
      lockFile: path.join(HERE, 'packages.lock'),
    },
    // apt's name for a package of the target arch; lib/packages.mjs fills the sets as it learns.
    aq: (name) => (foreign && !archAll.has(name) ? `${name}:${arch}` : name),
    archAll,
    archAny: new Set(),
  };
}

function checkHostTools(ctx) {
  const need = { 'apt-get': 'apt', 'apt-cache': 'apt', 'dpkg-deb': 'dpkg', 'mkfs.erofs': 'erofs-utils', cpio: 'cpio', depmod: 'kmod', zstd: 'zstd' };
  const missing = Object.entries(need).filter(([bin]) => spawnSync('sh', ['-c', `command -v ${bin} || test -x /usr/sbin/${bin} || test -x /sbin/${bin}`]).status !== 0);
  if (missing.length) fail(`missing host tools: ${missing.map(([b]) => b).join(', ')}; run: apt-get install ${[...new Set(missing.map(([, p]) => p))].join(' ')}`);
  if (ctx.foreign) {
    const archs = run('dpkg', ['--print-foreign-architectures']).split('\n');
    if (!archs.includes(ctx.arch)) fail(`the host has no ${ctx.arch} packages: run 'dpkg --add-architecture ${ctx.arch} && apt-get update' (or scripts/setup.sh) first`);
  }
}

/** The packages for ctx.arch ({ name: version }), written to the lock when they changed. */
function lockedPackages(ctx) {
  const lock = readLock(ctx.paths.lockFile);
  const update = ctx.opts['update-lock'];
  const locked = update ? {} : (lock[ctx.arch] ?? {});
  step(`resolving packages for ${ctx.arch}${Object.keys(locked).length ? ' (from packages.lock)' : ''}`);
  // A complete lock is used as it is (reproducible, and no apt queries); a new root package or
  // --update-lock resolves again, keeping the locked versions of what stays. A new architecture
  // takes the other sections' versions where it has them, so the images ship the same sources;
  // --update-lock moves each architecture to today's candidates instead.
  const sibling = update ? {} : Object.assign({}, ...Object.entries(lock).filter(([a]) => a !== ctx.arch).map(([, s]) => s));
  const pkgs = lockCoversRoots(ctx.arch, locked) ? { ...locked } : resolvePackages(ctx, locked, sibling);
  if (JSON.stringify(lock[ctx.arch]) !== JSON.stringify(Object.fromEntries(Object.entries(pkgs).sort()))) {
    lock[ctx.arch] = pkgs;
    writeLock(ctx.paths.lockFile, lock);
    step(`wrote packages.lock [${ctx.arch}] (${Object.keys(pkgs).length} packages)`);
  }
  return pkgs;
}

function hashTree(dir, h) {
  for (const f of fs.readdirSync(dir).sort()) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isDirectory()) hashTree(p, h);
    else h.update(`${path.relative(HERE, p)}\0`).update(fs.readFileSync(p));
  }
}

/** Everything the image is made of: when this is unchanged, the outputs on disk are current. */
function inputHash(ctx, pkgs, bundleDir) {
  const h = createHash('sha256');
  h.update(`${ctx.arch}\0${ctx.opts.compress}\0`);
  h.update(Object.entries(pkgs).sort().map(([n, v]) => `${n}=${v}`).join('\n'));
  for (const f of fs.readdirSync(bundleDir).sort()) h.update(f).update(fs.readFileSync(path.join(bundleDir, f)));
  h.update(fs.readFileSync(fileURLToPath(import.meta.url)));
  hashTree(path.join(HERE, 'lib'), h);
  hashTree(ctx.paths.guest, h);
  h.update(JSON.stringify(JSON.parse(fs.readFileSync(path.join(ctx.paths.repo, 'node_modules/node-pty/package.json'), 'utf8')).version));
  return h.digest('hex');
}

async function main() {
  const ctx = buildContext(parseOptions());
  const { archDir } = ctx.paths;
  checkHostTools(ctx);
  const pkgs = lockedPackages(ctx);
  const kernelPkg = kernelPackage(pkgs);
  const kver = kernelPkg.replace(/^linux-image-/, '');

  // The engine bundle is rebuilt every time (esbuild takes about a second); the image only when
  // its inputs changed.
  const bundleDir = path.join(archDir, 'bundle');
  fs.mkdirSync(archDir, { recursive: true });
  const entries = await bundleEngine(ctx, bundleDir);
  const hash = inputHash(ctx, pkgs, bundleDir);
  const outputs = OUTPUTS.map((f) => path.join(archDir, f));
  const manifestPath = path.join(archDir, 'manifest.json');
  const prev = fs.existsSync(manifestPath) ? JSON.parse(fs.readFileSync(manifestPath, 'utf8')) : null;
  if (!ctx.opts.force && prev?.inputHash === hash && outputs.every((f) => fs.existsSync(f))) {
    step(`up to date (inputs ${hash.slice(0, 12)}); use --force to rebuild`);
    printSizes(ctx, prev);
    return;
  }

  const root = unpackRoot(ctx, download(ctx, pkgs));
  // Kernel out of the root; prune modules; generate modules.dep for what is left.
  const kernel = { kver, ...extractKernel(ctx, root, kver, path.join(archDir, 'vmlinuz.new')) };
  stripRoot(ctx, root);
  installBusybox(root);
  installCaBundle(root);
  step('installing the engine bundle, node-pty and the guest init');
  const opt = installEngine(ctx, root, bundleDir, entries);
  const pty = buildNodePty(ctx, pkgs, path.join(opt, 'node_modules/node-pty'));
  if (!pty.ok) console.warn(`vm-image: WARNING: ${pty.why}`);
  installGuestFiles(ctx, root, kernel.dep);
  const erofs = buildErofs(ctx, root);
  step('stage-1 initramfs');
  const initrd = buildInitramfs(ctx, root, kernel);
  const floor = buildFloorInitramfs(ctx, root, kernel);

  // Renamed into place last, so a failed build leaves the previous image whole.
  const built = [path.join(archDir, 'vmlinuz.new'), initrd, erofs, floor];
  built.forEach((from, i) => fs.renameSync(from, outputs[i]));
  const manifest = {
    arch: ctx.arch,
    kernel: { package: kernelPkg, version: pkgs[kernelPkg], release: kver },
    node: pkgs.nodejs,
    nodePty: pty.ok ? 'built for the guest Node' : `missing: ${pty.why}`,
    engine: entries.map((e) => `/opt/berth/${e}.mjs`),
    files: Object.fromEntries(outputs.map((f) => [path.basename(f), { bytes: fs.statSync(f).size, sha256: sha256(fs.readFileSync(f)) }])),
    rootUnpackedBytes: Number(run('du', ['-sb', root]).split('\t')[0]),
    packages: Object.keys(pkgs).length,
    lockHash: sha256(Object.entries(pkgs).sort().map(([n, v]) => `${n}=${v}`).join('\n')),
    inputHash: hash,
    builtAt: new Date().toISOString(),
    buildSeconds: Math.round(elapsedSeconds() * 10) / 10,
  };
  fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  if (!ctx.opts['keep-stage']) fs.rmSync(ctx.paths.stage, { recursive: true, force: true });
  step('done');
  printSizes(ctx, manifest);
}

function printSizes(ctx, m) {
  const fmt = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`;
  console.log(`  ${path.relative(ctx.paths.repo, ctx.paths.archDir)}/  kernel ${m.kernel.release}, node ${m.node}`);
  for (const [name, { bytes }] of Object.entries(m.files)) console.log(`    ${name.padEnd(17)} ${fmt(bytes).padStart(10)}`);
  const total = Object.values(m.files).reduce((a, b) => a + b.bytes, 0);
  console.log(`    ${'total'.padEnd(17)} ${fmt(total).padStart(10)}   (root unpacked ${fmt(m.rootUnpackedBytes)}, ${m.packages} packages)`);
}

await main();
