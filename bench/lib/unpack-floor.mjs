// Unpack throughput: Berth's own layer applier (applyLayer from agent/src/image/layer-unpack.ts,
// bundled with esbuild and run in this process, as the engine runs it) against `tar -xf` of the
// same layer files as the floor. Each round unpacks every layer into fresh empty directories;
// throughput is uncompressed tar bytes per second.
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { stats } from './measure.mjs';
import { must, run } from './proc.mjs';
import { importTs } from './setup.mjs';

/** Unpacks a docker-archive's layer tars into dir; returns their paths in order and total bytes. */
export async function extractArchiveLayers(archive, dir) {
  await fs.mkdir(dir, { recursive: true });
  await must('tar', ['-xf', archive, '-C', dir], { timeoutMs: 300_000 });
  const manifest = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8'));
  const layers = manifest[0].Layers.map((l) => path.join(dir, l));
  let bytes = 0;
  for (const l of layers) bytes += (await fs.stat(l)).size;
  return { layers, bytes };
}

/**
 * Measures both unpackers over `layers` (uncompressed or gzip files), `rounds` times, interleaved.
 * tarBytes: total uncompressed tar bytes (the throughput numerator for both).
 */
export async function measureUnpack({ layers, tarBytes, workDir, rounds, gzip = false, checkAbort = () => undefined }) {
  const { applyLayer } = await importTs('agent/src/image/layer-unpack.ts');
  const res = { berth: [], tar: [], errors: [] };
  let n = 0;
  const fresh = async () => {
    const d = path.join(workDir, `u${n++}`);
    await fs.mkdir(d, { recursive: true });
    return d;
  };
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? ['berth', 'tar'] : ['tar', 'berth'];
    for (const who of order) {
      checkAbort();
      const dirs = [];
      for (let i = 0; i < layers.length; i++) dirs.push(await fresh());
      const t0 = performance.now();
      try {
        for (const [i, layer] of layers.entries()) {
          if (who === 'berth') await applyLayer(createReadStream(layer, { highWaterMark: 1 << 20 }), dirs[i]);
          else {
            const x = await run('tar', [gzip ? '-xzf' : '-xf', layer, '-C', dirs[i]], { timeoutMs: 300_000 });
            if (x.code !== 0) throw new Error(`tar: ${x.stderr.trim().slice(0, 300)}`);
          }
        }
        res[who].push(performance.now() - t0);
      } catch (e) {
        res.errors.push(`${who}: ${e.message ?? e}`);
      }
      for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
    }
  }
  const mbps = (ms) => (ms == null ? null : tarBytes / (1024 * 1024) / (ms / 1000));
  return {
    berth: { stats: stats(res.berth), mbps: mbps(stats(res.berth)?.median) },
    tar: { stats: stats(res.tar), mbps: mbps(stats(res.tar)?.median) },
    errors: res.errors,
  };
}
