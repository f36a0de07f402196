// How the link gives a session a terminal: node-pty when it loads (native, built for this Node),
// else `script` (util-linux or busybox) which allocates a pty itself but cannot follow window
// resizes, else plain pipes. The guest's Node may differ from the host's, so all three matter.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

export interface PtyProcess {
  onData(cb: (data: string) => void): void;
  onExit(cb: (e: { exitCode: number }) => void): void;
  write(data: string): void;
  resize(cols: number, rows: number): void;
  kill(signal?: string): void;
}
export interface NodePty {
  spawn(file: string, args: string[], opts: { name: string; cols: number; rows: number; cwd: string; env: NodeJS.ProcessEnv }): PtyProcess;
}
export type PtyBackend = { kind: 'node-pty'; pty: NodePty } | { kind: 'script' } | { kind: 'none' };

let cached: PtyBackend | undefined;

export function ptyBackend(): PtyBackend {
  if (cached) return cached;
  if (process.env.BERTH_LINK_PTY !== 'script' && process.env.BERTH_LINK_PTY !== 'none') {
    try {
      const pty = createRequire(import.meta.url)('node-pty') as NodePty;
      return (cached = { kind: 'node-pty', pty });
    } catch {
      // not installed or built for another Node ABI: try the next way
    }
  }
  if (process.env.BERTH_LINK_PTY !== 'none') {
    try {
      execFileSync('script', ['-q', '-c', 'true', '/dev/null'], { stdio: 'ignore', timeout: 3000 });
      return (cached = { kind: 'script' });
    } catch {
      // no `script` here
    }
  }
  return (cached = { kind: 'none' });
}
