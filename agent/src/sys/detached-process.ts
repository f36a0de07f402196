// Starts a long-lived helper in its own session (setsid), so it survives the engine: the
// per-container shim. Its stdout stays a pipe for a start-up report; stderr goes to a file; stdin
// is a pipe only when asked (a standby shim waits there for its container).
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';

export function spawnDetached(file: string, args: string[], opts: { stderrPath: string; env?: NodeJS.ProcessEnv; stdin?: boolean }): ChildProcess {
  const errFd = openSync(opts.stderrPath, 'a', 0o600);
  try {
    return spawn(file, args, { detached: true, stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', errFd], env: opts.env ?? process.env, cwd: '/' });
  } finally {
    closeSync(errFd);
  }
}
