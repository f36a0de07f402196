// Before measuring: dist/ built, fixture images present. TypeScript modules the benchmarks need
// (fixture builders, the engine's own unpacker) are bundled with esbuild and imported from a temp
// file, so bench/ stays plain Node without a TS loader.
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { log, must } from './proc.mjs';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const WORK = path.join(ROOT, 'bench/.work');
export const FIXTURES = path.join(ROOT, 'test/.work/fixtures');
export const BUSYBOX_TAR = path.join(FIXTURES, 'busybox.tar');

/** Bundles a TS entry (relative to the repo root) and imports it; the temp bundle is removed again. */
export async function importTs(entry) {
  const { build } = await import('esbuild');
  const res = await build({
    entryPoints: [path.join(ROOT, entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    external: ['node-pty'],
    logLevel: 'warning',
    banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
  });
  await fs.mkdir(WORK, { recursive: true });
  const tmp = path.join(WORK, `${path.basename(entry, '.ts')}.${process.pid}.mjs`);
  await fs.writeFile(tmp, res.outputFiles[0].contents);
  try {
    return await import(pathToFileURL(tmp).href);
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

export async function ensureBuilt() {
  if (!existsSync(path.join(ROOT, 'dist/agent.mjs')) || !existsSync(path.join(ROOT, 'dist/shim.mjs'))) {
    log('dist/ missing: building');
    await must(process.execPath, [path.join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, timeoutMs: 180_000 });
  }
  if (existsSync(BUSYBOX_TAR) && existsSync(path.join(FIXTURES, 'fixtures.json'))) return;
  log('fixtures missing: building them with test/fixtures/build-fixtures.ts');
  const mod = await importTs('test/fixtures/build-fixtures.ts');
  await mod.buildFixtures(FIXTURES);
}
