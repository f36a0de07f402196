// How the image build runs host tools and reports: every failure ends the build with one line
// that says what to do, and progress lines carry the time since the build started.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';

/** What the build runs on the host, as Debian packages (named in "not found" errors). */
export const HOST_PACKAGES = ['erofs-utils', 'cpio', 'kmod', 'zstd', 'g++', 'make', 'python3'];
const t0 = Date.now();

export function fail(msg) {
  console.error(`vm-image: ${msg}`);
  process.exit(1);
}

export function step(msg) {
  console.log(`[vm-image ${elapsedSeconds().toFixed(1).padStart(5)}s] ${msg}`);
}

export function elapsedSeconds() {
  return (Date.now() - t0) / 1000;
}

/** Runs cmd synchronously and returns its stdout; a non-zero exit ends the build unless allowFail. */
export function run(cmd, args, o = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20, ...o });
  if (r.error) {
    if (r.error.code === 'ENOENT') fail(`${cmd} not found; install the host tools: apt-get install ${HOST_PACKAGES.join(' ')}`);
    throw r.error;
  }
  if (r.status !== 0 && !o.allowFail) {
    fail(`${cmd} ${args.join(' ')} failed (${r.status}):\n${(r.stderr || '').trim().slice(-3000)}`);
  }
  return r.stdout ?? '';
}

export const sha256 = (data) => createHash('sha256').update(data).digest('hex');
