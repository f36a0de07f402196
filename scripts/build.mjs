// Bundles each process entry point into one ESM file under dist/ with esbuild. Bundling keeps
// process start-up fast (the per-container shim starts on every `docker run`) and is what the VM
// image will ship. Native modules stay external.
import { build } from 'esbuild';

const entries = {
  agent: 'agent/src/main.ts',
  shim: 'agent/src/shim/main.ts',
  host: 'host/src/cli/main.ts',
};

await build({
  entryPoints: entries,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outExtension: { '.js': '.mjs' },
  sourcemap: 'linked',
  external: ['node-pty'],
  logLevel: 'warning',
  // ESM bundles of CommonJS dependencies need a require() of their own.
  banner: { js: "import { createRequire as __berthRequire } from 'node:module'; const require = __berthRequire(import.meta.url);" },
});
