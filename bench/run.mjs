// `npm run bench` entry point: the engine-core benchmark (run-bench.mjs), the pull benchmark
// (pull-bench.mjs), the UI benchmark (ui-bench.mjs), then the VM benchmark (vm-bench.mjs), each in
// its own process so each cleans up after itself. Usage:
//   node bench/run.mjs [--quick] [--runs N] [--no-podman] [--pull-runs N] [--vm-boots N] [--only core|pull|ui|vm]
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    'no-podman': { type: 'boolean', default: false },
    'pull-runs': { type: 'string' },
    'vm-boots': { type: 'string' },
    only: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  console.log('usage: node bench/run.mjs [--quick] [--runs N] [--no-podman] [--pull-runs N] [--vm-boots N] [--only core|pull|ui|vm]');
  process.exit(0);
}

const core = [...(opts.quick ? ['--quick'] : []), ...(opts.runs ? ['--runs', opts.runs] : []), ...(opts['no-podman'] ? ['--no-podman'] : [])];
const pull = opts['pull-runs'] ? ['--runs', opts['pull-runs']] : opts.quick ? ['--runs', '2'] : [];
const ui = opts.quick ? ['--quick'] : [];
const vm = [...(opts.quick ? ['--quick'] : []), ...(opts['vm-boots'] ? ['--boots', opts['vm-boots']] : [])];
const steps = [
  ['core', 'run-bench.mjs', core],
  ['pull', 'pull-bench.mjs', pull],
  ['ui', 'ui-bench.mjs', ui],
  ['vm', 'vm-bench.mjs', vm],
].filter(([name]) => !opts.only || opts.only === name);

if (opts.only && !steps.length) {
  console.error(`--only is core, pull, ui or vm, not ${opts.only}`);
  process.exit(2);
}

let child = null;
let interrupted = false;
// The children get the terminal's Ctrl-C themselves and clean up; forward TERM/HUP and wait for them.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    interrupted = true;
    if (sig !== 'SIGINT') child?.kill(sig);
  });
}

let failed = 0;
for (const [name, script, args] of steps) {
  if (interrupted) break;
  console.error(`[bench] === ${name}: node bench/${script} ${args.join(' ')}`);
  child = spawn(process.execPath, [path.join(import.meta.dirname, script), ...args], { stdio: 'inherit' });
  const code = await new Promise((resolve) => child.on('close', (c, s) => resolve(c ?? (s ? 128 : 1))));
  if (code !== 0) {
    failed++;
    console.error(`[bench] ${name} benchmark exited with ${code}`);
  }
}
process.exit(interrupted ? 130 : failed ? 1 : 0);
