// node-pty built for the guest's Node and architecture, cached in out/cache/node-pty-<arch>-<key>/
// (keyed on node-pty's and the guest Node's versions) and copied into the root.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { download } from './packages.mjs';
import { fail, run, sha256, step } from './run.mjs';

/** ELF e_machine of each guest architecture; a cross build that produced anything else is wrong. */
const ELF_MACHINE = { amd64: 62, arm64: 183 };
/** Cross toolchains (Debian's g++-<triplet>) for guests that are not the host's architecture. */
const CROSS = { arm64: { prefix: 'aarch64-linux-gnu-', gypArch: 'arm64', package: 'g++-aarch64-linux-gnu' } };

/**
 * node-pty 1.x is an N-API addon (node-addon-api), so one build works on Node 18 and 20; we still
 * compile it against the guest's own headers (Debian's libnode-dev, unpacked, never installed)
 * so it matches the guest's Node and libc, not the host's. Returns { ok } or { ok: false, why }.
 */
export function buildNodePty(ctx, pkgs, dest) {
  const ptySrc = path.join(ctx.paths.repo, 'node_modules/node-pty');
  if (!fs.existsSync(ptySrc)) fail('node_modules/node-pty is missing: run npm install first');
  const ptyVersion = JSON.parse(fs.readFileSync(path.join(ptySrc, 'package.json'), 'utf8')).version;
  const nodeVersion = pkgs.libnode108 ?? pkgs.nodejs;
  const key = sha256(`${ptyVersion} ${nodeVersion} ${ctx.arch}`).slice(0, 16);
  const cached = path.join(ctx.paths.out, 'cache', `node-pty-${ctx.arch}-${key}`);
  if (!fs.existsSync(path.join(cached, 'build/Release/pty.node'))) {
    step(`building node-pty ${ptyVersion} for Node ${nodeVersion} on ${ctx.arch} (libnode-dev headers${ctx.foreign ? ', cross-compiled' : ''})`);
    const built = compile(ctx, ptySrc, nodeVersion, cached);
    if (!built.ok) return built;
  }
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  run('cp', ['-a', cached, dest]);
  // Tests and source maps are dead weight in the image.
  for (const f of fs.readdirSync(path.join(dest, 'lib'))) {
    if (f.endsWith('.test.js') || f.endsWith('.map')) fs.rmSync(path.join(dest, 'lib', f), { recursive: true, force: true });
  }
  return { ok: true };
}

/** node-gyp in a scratch copy of node-pty; on success the addon, lib/ and package.json go to cached. */
function compile(ctx, ptySrc, nodeVersion, cached) {
  const cross = ctx.foreign ? CROSS[ctx.arch] : null;
  if (ctx.foreign && !cross) return { ok: false, why: `no cross toolchain known for ${ctx.arch}` };
  if (cross && spawnSync(`${cross.prefix}g++`, ['--version']).status !== 0) {
    return { ok: false, why: `${cross.prefix}g++ not found (apt-get install ${cross.package}); TTY containers will fail in this image` };
  }
  const gyp = [path.join(ctx.paths.repo, 'node_modules/node-gyp/bin/node-gyp.js'), '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'].find((f) => fs.existsSync(f));
  if (!gyp) return { ok: false, why: 'node-gyp not found (neither in node_modules nor in npm)' };
  const devDir = unpackNodeHeaders(ctx, nodeVersion);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-pty-'));
  try {
    const work = path.join(tmp, 'node_modules/node-pty');
    fs.mkdirSync(path.dirname(work), { recursive: true });
    run('cp', ['-a', ptySrc, work]);
    run('cp', ['-a', path.join(ctx.paths.repo, 'node_modules/node-addon-api'), path.join(tmp, 'node_modules/node-addon-api')]);
    fs.rmSync(path.join(work, 'build'), { recursive: true, force: true });
    fs.rmSync(path.join(work, 'node-addon-api'), { recursive: true, force: true });
    const args = [gyp, 'rebuild', `--nodedir=${path.join(devDir, 'usr')}`];
    let env = process.env;
    if (cross) {
      // gyp's Makefiles take the target toolchain from CC/CXX/LINK/AR; --arch sets target_arch
      // (the arm64 branches of the guest Node's common.gypi, and no -m64).
      args.push(`--arch=${cross.gypArch}`);
      const tool = (t) => `${cross.prefix}${t}`;
      env = { ...process.env, CC: tool('gcc'), CXX: tool('g++'), LINK: tool('g++'), AR: tool('ar') };
    }
    const r = spawnSync(process.execPath, args, { cwd: work, env, encoding: 'utf8' });
    if (r.status !== 0) return { ok: false, why: `node-gyp failed:\n${(r.stderr || r.stdout).slice(-2000)}` };
    const addon = path.join(work, 'build/Release/pty.node');
    const machine = fs.readFileSync(addon).readUInt16LE(18);
    if (machine !== ELF_MACHINE[ctx.arch]) return { ok: false, why: `pty.node was built for ELF machine ${machine}, not ${ctx.arch}` };
    fs.rmSync(cached, { recursive: true, force: true });
    fs.mkdirSync(path.join(cached, 'build/Release'), { recursive: true });
    fs.copyFileSync(addon, path.join(cached, 'build/Release/pty.node'));
    run('cp', ['-a', path.join(work, 'lib'), path.join(work, 'package.json'), path.join(work, 'LICENSE'), cached]);
    return { ok: true };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** The guest Node's headers: its libnode-dev .deb unpacked into out/cache/libnode-dev-<arch>/. */
function unpackNodeHeaders(ctx, nodeVersion) {
  const deb = download(ctx, { 'libnode-dev': nodeVersion })['libnode-dev'];
  const devDir = path.join(ctx.paths.out, 'cache', `libnode-dev-${ctx.arch}`);
  fs.rmSync(devDir, { recursive: true, force: true });
  run('dpkg-deb', ['-x', deb, devDir]);
  return devDir;
}
