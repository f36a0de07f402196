// Entry of the per-container shim (bundled to dist/shim.mjs): `node shim.mjs <config.json>`, or
// `node shim.mjs --standby`: started ahead of time (runtime/shim-pool.ts), it waits for one JSON
// line {"config": path} on stdin, and exits quietly if stdin ends first (the engine went away).
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

/** The first line on stdin, or undefined at EOF. */
function firstLine(): Promise<string | undefined> {
  return new Promise((resolve) => {
    let buf = '';
    const done = (line: string | undefined) => {
      process.stdin.removeAllListeners('data');
      process.stdin.pause();
      resolve(line);
    };
    process.stdin.on('data', (b: Buffer) => {
      buf += b.toString();
      const nl = buf.indexOf('\n');
      if (nl !== -1) done(buf.slice(0, nl));
    });
    process.stdin.on('end', () => done(undefined));
    process.stdin.on('error', () => done(undefined));
  });
}

async function configPath(): Promise<string> {
  if (process.argv[2] !== '--standby') return process.argv[2];
  const line = await firstLine();
  if (!line) process.exit(0);
  return (JSON.parse(line) as { config: string }).config;
}

try {
  const config = JSON.parse(await fs.readFile(await configPath(), 'utf8')) as ShimConfig;
  await runShim(config, report);
  process.exit(0);
} catch (e) {
  process.stderr.write(`shim: ${(e as Error).stack ?? e}\n`);
  report({ ok: false, error: `shim failed: ${(e as Error).message}`, exitCode: 128, kind: 'Internal' });
  process.exit(1);
}
