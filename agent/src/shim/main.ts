// Entry of the per-container shim (bundled to dist/shim.mjs): `node shim.mjs <config.json>`.
// Started detached by the engine; outlives it. One JSON line on stdout reports readiness.
import { promises as fs } from 'node:fs';
import type { ShimConfig, ShimReady } from '../runtime/shim-config.ts';
import { runShim } from './container-shim.ts';

// The engine closes our stdout after the ready line and may die; neither may take us down.
process.stdout.on('error', () => undefined);
for (const sig of ['SIGHUP', 'SIGINT', 'SIGPIPE'] as const) process.on(sig, () => undefined);

let reported = false;
function report(r: ShimReady): void {
  if (reported) return;
  reported = true;
  process.stdout.write(JSON.stringify(r) + '\n');
}

try {
  const config = JSON.parse(await fs.readFile(process.argv[2], 'utf8')) as ShimConfig;
  await runShim(config, report);
  process.exit(0);
} catch (e) {
  process.stderr.write(`shim: ${(e as Error).stack ?? e}\n`);
  report({ ok: false, error: `shim failed: ${(e as Error).message}`, exitCode: 128, kind: 'Internal' });
  process.exit(1);
}
