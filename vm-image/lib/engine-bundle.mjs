// The engine bundled by esbuild for the guest's Node 18: /opt/berth/{agent,shim,link}.mjs.
import fs from 'node:fs';
import path from 'node:path';
import { fail } from './run.mjs';

/** Bundles into dir (emptied first) and returns the entry names written as <name>.mjs. */
export async function bundleEngine(ctx, dir) {
  const repo = ctx.paths.repo;
  const { build } = await import(path.join(repo, 'node_modules/esbuild/lib/main.js'));
  const entries = { agent: 'agent/src/main.ts', shim: 'agent/src/shim/main.ts' };
  // The link service (agent/src/link) ships when it exists; berth-init starts it if present.
  if (fs.existsSync(path.join(repo, 'agent/src/link/main.ts'))) entries.link = 'agent/src/link/main.ts';
  fs.rmSync(dir, { recursive: true, force: true });
  await build({
    absWorkingDir: repo,
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
