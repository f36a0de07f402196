// The one place that runs an OCI runtime in the foreground with the container's stdio: `runc run`
// for the shim and `runc exec` for exec. With a TTY the runtime runs under node-pty (runc proxies
// that pty into the container and forwards window-size changes); without one it gets pipes.
import { spawn } from 'node:child_process';
import os from 'node:os';
import type { Writable } from 'node:stream';

export type OutputStream = 'stdout' | 'stderr';

export interface RuntimeProcessOptions {
  tty: boolean;
  /** Give the process a stdin pipe; otherwise it reads /dev/null (pipes) or a silent pty. */
  stdin: boolean;
  cols?: number;
  rows?: number;
  onOutput: (stream: OutputStream, data: Buffer) => void;
}

export interface RuntimeProcess {
  /** Pid of the runtime process (not the container's). */
  pid: number;
  write(data: Buffer): void;
  /** Ends container stdin: closes the pipe, or sends EOF (^D) through a TTY. */
  endStdin(): void;
  resize(cols: number, rows: number): void;
  /** Exit code once the runtime has exited and its output is drained; 128+n for signal n. */
  exited: Promise<number>;
  /** The stdin pipe (pipes mode with stdin only). */
  stdinStream?: Writable;
}

export async function spawnRuntimeProcess(file: string, args: string[], o: RuntimeProcessOptions): Promise<RuntimeProcess> {
  return o.tty ? spawnPty(file, args, o) : spawnPipes(file, args, o);
}

function spawnPipes(file: string, args: string[], o: RuntimeProcessOptions): RuntimeProcess {
  const child = spawn(file, args, { stdio: [o.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (b: Buffer) => o.onOutput('stdout', b));
  child.stderr!.on('data', (b: Buffer) => o.onOutput('stderr', b));
  // The container may exit without reading stdin: writes then fail with EPIPE, which is not ours to report.
  child.stdin?.on('error', () => undefined);
  const exited = new Promise<number>((resolve) => {
    child.on('error', () => resolve(127));
    child.on('close', (code, signal) => resolve(code ?? 128 + (signal ? (os.constants.signals[signal] ?? 0) : 0)));
  });
  return {
    pid: child.pid ?? 0,
    write: (d) => void child.stdin?.write(d),
    endStdin: () => void child.stdin?.end(),
    resize: () => undefined,
    exited,
    stdinStream: child.stdin ?? undefined,
  };
}

async function spawnPty(file: string, args: string[], o: RuntimeProcessOptions): Promise<RuntimeProcess> {
  // Loaded lazily: the native module costs start-up time that non-TTY containers need not pay.
  const pty = await import('node-pty');
  const term = pty.spawn(file, args, {
    name: 'xterm',
    cols: o.cols || 80,
    rows: o.rows || 24,
    cwd: '/',
    env: process.env as Record<string, string>,
    encoding: null,
  } as Parameters<typeof pty.spawn>[2]);
  term.onData((d: string | Buffer) => o.onOutput('stdout', typeof d === 'string' ? Buffer.from(d) : d));
  const exited = new Promise<number>((resolve) => {
    term.onExit(({ exitCode, signal }) => resolve(signal ? 128 + signal : exitCode));
  });
  return {
    pid: term.pid,
    write: (d) => term.write(d),
    endStdin: () => term.write('\x04'),
    resize: (cols, rows) => {
      try {
        term.resize(cols, rows);
      } catch {
        // the pty is gone once the process exited
      }
    },
    exited,
  };
}
