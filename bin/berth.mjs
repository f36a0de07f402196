#!/usr/bin/env node
// `berth` entry point. `berth engine` runs the engine (agent/) in this process; every other
// command belongs to the host CLI (host/). Both are bundled into dist/ by `npm run build`
// (run automatically by `npm ci` through the prepare script).
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
if (!existsSync(path.join(dist, 'agent.mjs'))) {
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
}
const [cmd, ...rest] = process.argv.slice(2);
if (cmd === 'engine') {
  process.argv = [process.argv[0], process.argv[1], ...rest];
  await import(path.join(dist, 'agent.mjs'));
} else {
  await import(path.join(dist, 'host.mjs'));
}
