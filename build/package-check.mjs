// `npm run package:check`: runs electron-builder's real packaging (`--linux dir`) offline, with a
// stand-in Electron (the binary can't be downloaded here), then reads the produced app.asar and
// checks the app is in it. Catches broken `files` globs, a wrong `main`, missing icons.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist/electron-builder/linux-unpacked');

/** Entries of an asar archive: path → { size, unpacked, offset }, and a reader for packed files. */
export function readAsar(file) {
  const buf = readFileSync(file);
  // Chromium pickles: [4: size of header pickle][header pickle = 4: payload size, 4: string length, JSON].
  const headerPickleSize = buf.readUInt32LE(4);
  const json = buf.subarray(16, 16 + buf.readUInt32LE(12)).toString('utf8');
  const base = 8 + headerPickleSize;
  const entries = new Map();
  const walk = (node, prefix) => {
    for (const [name, child] of Object.entries(node.files ?? {})) {
      if (child.files) walk(child, `${prefix}${name}/`);
      else entries.set(`${prefix}${name}`, child);
    }
  };
  walk(JSON.parse(json), '');
  const read = (p) => {
    const e = entries.get(p);
    if (!e || e.unpacked) throw new Error(`${p} is not packed in the asar`);
    const start = base + Number(e.offset);
    return buf.subarray(start, start + e.size).toString('utf8');
  };
  return { entries, read };
}

function main() {
  for (const f of ['dist/electron/main.mjs', 'dist/electron/preload.cjs', 'dist/host.mjs']) {
    if (!existsSync(path.join(root, f))) throw new Error(`${f} is missing: run npm run build first`);
  }
  const electronVersion = JSON.parse(readFileSync(path.join(root, 'node_modules/electron/package.json'), 'utf8')).version;
  const fakeDist = mkdtempSync(path.join(os.tmpdir(), 'berth-electron-dist-'));
  try {
    // What electron-builder copies from electronDist and renames to the product's executable.
    writeFileSync(path.join(fakeDist, 'electron'), '#!/bin/sh\necho "stand-in Electron for package:check" >&2\nexit 1\n');
    chmodSync(path.join(fakeDist, 'electron'), 0o755);
    writeFileSync(path.join(fakeDist, 'version'), `v${electronVersion}`);
    rmSync(out, { recursive: true, force: true });
    const bin = path.join(root, 'node_modules/.bin/electron-builder');
    const r = spawnSync(bin, ['--linux', 'dir', '--config', 'build/electron-builder.yml', `-c.electronDist=${fakeDist}`, `-c.electronVersion=${electronVersion}`], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', CSC_IDENTITY_AUTO_DISCOVERY: 'false', ELECTRON_BUILDER_DISABLE_UPDATE_NOTIFIER: 'true' },
    });
    if (r.status !== 0) throw new Error(`electron-builder failed (${r.status ?? r.signal})`);
  } finally {
    rmSync(fakeDist, { recursive: true, force: true });
  }

  const problems = [];
  const asarFile = path.join(out, 'resources/app.asar');
  if (!existsSync(asarFile)) throw new Error(`no ${path.relative(root, asarFile)}`);
  if (!existsSync(path.join(out, 'berth-desktop'))) problems.push('the executable was not renamed to berth-desktop');
  const { entries, read } = readAsar(asarFile);
  const pkg = JSON.parse(read('package.json'));
  if (pkg.main !== 'dist/electron/main.mjs') problems.push(`package.json main is ${pkg.main}`);
  for (const p of ['dist/electron/main.mjs', 'dist/electron/preload.cjs', 'dist/host.mjs', 'build/icons/icon.png', 'build/icons/tray.png']) {
    if (!entries.has(p)) problems.push(`${p} is not in app.asar`);
  }
  for (const p of ['dist/agent.mjs', 'dist/shim.mjs']) {
    if (!entries.get(p)?.unpacked || !existsSync(path.join(out, 'resources/app.asar.unpacked', p))) problems.push(`${p} is not unpacked`);
  }
  if (!entries.has('dist/renderer/index.html')) problems.push('dist/renderer/index.html is not in app.asar (build the renderer first)');
  const maps = [...entries.keys()].filter((p) => p.startsWith('dist/') && p.endsWith('.map'));
  if (maps.length) problems.push(`source maps packed: ${maps.join(', ')}`);
  if (!existsSync(path.join(root, 'vm-image/out'))) console.log('note: vm-image/out does not exist yet; the VM image resource (resources/vm) is empty');

  const size = (readFileSync(asarFile).length / 1e6).toFixed(1);
  console.log(`app.asar: ${entries.size} files, ${size} MB; main ${pkg.main}; electron ${electronVersion}`);
  if (problems.length) {
    console.error(`package:check FAILED:\n  ${problems.join('\n  ')}`);
    process.exitCode = 1;
  } else {
    console.log('package:check OK: dist/electron-builder/linux-unpacked');
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
