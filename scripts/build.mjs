// Bundles each process entry point into one ESM file under dist/ with esbuild. Bundling keeps
// process start-up fast (the per-container shim starts on every `docker run`) and is what the VM
// image will ship. Native modules stay external.
import { build } from 'esbuild';

const CJS_SHIM = "import { createRequire as __berthRequire } from 'node:module'; import { fileURLToPath as __berthPath } from 'node:url'; const require = __berthRequire(import.meta.url); const __filename = __berthPath(import.meta.url); const __dirname = __berthPath(new URL('.', import.meta.url));";

/** Node processes: one ESM file each, native modules left external. */
const nodeBundle = (entryPoints, outdir, target, external = []) =>
  build({
    entryPoints,
    outdir,
    bundle: true,
    platform: 'node',
    target,
    format: 'esm',
    outExtension: { '.js': '.mjs' },
    sourcemap: 'linked',
    external: [...external, 'node-pty', 'cpu-features', '*.node'],
    logLevel: 'warning',
    // ESM bundles of CommonJS dependencies need a require() (and ssh2 a __dirname) of their own.
    banner: { js: CJS_SHIM },
  });

await nodeBundle({ agent: 'agent/src/main.ts', shim: 'agent/src/shim/main.ts', host: 'host/src/cli/main.ts' }, 'dist', 'node20');

// The guest's link service (ssh2 server), shipped in the VM image as /opt/berth/link.mjs. The
// guest runs Debian's Node 18. ssh2's optional native helpers (cpu-features, sshcrypto.node) are
// left out: ssh2 falls back to pure JS when they do not load.
await nodeBundle({ link: 'agent/src/link/main.ts' }, 'dist', 'node18');

// The desktop app's main process (ESM, run by Electron's own Node) and its preload. The preload
// runs sandboxed, where only CommonJS and a few built-in modules load: one self-contained CJS file.
await nodeBundle({ main: 'electron/src/main.ts' }, 'dist/electron', 'node20', ['electron']);
await build({
  entryPoints: { preload: 'electron/src/preload.ts' },
  outdir: 'dist/electron',
  bundle: true,
  platform: 'node',
  target: 'chrome120',
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
  sourcemap: false,
  external: ['electron'],
  logLevel: 'warning',
});

// Web mode's browser bootstrap (served as /berth-web.js): `window.berth` over the WebSocket.
await build({
  entryPoints: { 'berth-web': 'host/src/ui-server/web-bootstrap.ts' },
  outdir: 'dist/renderer-bootstrap',
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: ['chrome110', 'firefox110', 'safari16'],
  minify: true,
  sourcemap: 'linked',
  logLevel: 'warning',
});

// The dashboard (renderer/), built by vite into dist/renderer/.
await import('vite').then((v) => v.build({ configFile: 'renderer/vite.config.ts' }));
