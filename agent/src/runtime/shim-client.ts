// The engine's side of a container shim: start it and wait for its ready line, then talk to its
// socket (runtime/shim-protocol.ts) to attach, resize and learn about the exit.
import net from 'node:net';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { Writable } from 'node:stream';
import { EngineError, internal } from '../errors.ts';
import { StartError } from './start-error.ts';
import { readJson, writeJsonAtomic } from '../sys/atomic-file.ts';
import { spawnDetached } from '../sys/detached-process.ts';
import type { ShimPool } from './shim-pool.ts';
import type { PortBinding } from '../network/port-proxy.ts';
import type { ExitStatus, ShimConfig, ShimReady } from './shim-config.ts';
import { FRAME_EXIT, FRAME_STDERR, FrameDecoder, type ShimEvent, type ShimRequest } from './shim-protocol.ts';

export type { ExitStatus } from './shim-config.ts';

export { StartError };

export interface StartedShim {
  pid: number;
  shimPid: number;
  ports: PortBinding[];
}

export async function startShim(opts: { shimScript: string; configPath: string; config: ShimConfig; pool?: ShimPool; timeoutMs?: number }): Promise<StartedShim> {
  await writeJsonAtomic(opts.configPath, opts.config);
  const logPath = path.join(path.dirname(opts.configPath), 'shim.log');
  const { child, stderrPath } = opts.pool
    ? await opts.pool.launch(opts.configPath, logPath)
    : { child: spawnDetached(process.execPath, [opts.shimScript, opts.configPath], { stderrPath: logPath }), stderrPath: logPath };
  const ready = await new Promise<ShimReady | undefined>((resolve) => {
    let buf = '';
    const timer = setTimeout(() => resolve(undefined), opts.timeoutMs ?? 60_000);
    child.stdout!.on('data', (b: Buffer) => {
      buf += b.toString();
      const nl = buf.indexOf('\n');
      if (nl === -1) return;
      clearTimeout(timer);
      try {
        resolve(JSON.parse(buf.slice(0, nl)) as ShimReady);
      } catch {
        resolve(undefined);
      }
    });
    child.on('close', () => resolve(undefined));
    child.on('error', () => resolve(undefined));
  });
  child.stdout!.destroy();
  child.unref();
  if (!ready) {
    const tail = (await fs.readFile(stderrPath, 'utf8').catch(() => '')).trim().split('\n').slice(-3).join('; ');
    throw new StartError('Internal', `container shim failed to start${tail ? `: ${tail}` : ''}`, 128);
  }
  if (!ready.ok) throw new StartError(ready.kind ?? 'Internal', ready.error, ready.exitCode);
  return { pid: ready.pid, shimPid: child.pid ?? 0, ports: ready.ports };
}

export async function readExitFile(file: string): Promise<ExitStatus | undefined> {
  return readJson<ExitStatus>(file);
}

export interface AttachStreams {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}

export interface AttachSession {
  output: AsyncIterable<{ stream: 'stdout' | 'stderr'; data: Buffer }>;
  input: Writable | undefined;
  close(): void;
}

function connectSocket(socketPath: string, header: ShimRequest): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock = net.createConnection({ path: socketPath, allowHalfOpen: true });
    sock.once('connect', () => {
      sock.off('error', reject);
      sock.on('error', () => undefined);
      sock.write(JSON.stringify(header) + '\n');
      resolve(sock);
    });
    sock.once('error', reject);
  });
}

/** Used when the shim vanished without reporting: the real status is unknown. */
function lostStatus(): ExitStatus {
  return { exitCode: 255, oomKilled: false, finishedAt: new Date().toISOString(), error: 'container shim exited unexpectedly' };
}

export class ShimConnection {
  private constructor(
    private readonly socketPath: string,
    private readonly control: net.Socket,
    readonly pid: number,
    readonly exited: Promise<ExitStatus>,
  ) {}

  /** Rejects when the shim is gone (socket missing or refusing). */
  static async connect(socketPath: string): Promise<ShimConnection> {
    let control: net.Socket;
    try {
      control = await connectSocket(socketPath, { op: 'control' });
    } catch (e) {
      throw new EngineError('NotFound', `container shim is not running (${socketPath}): ${(e as Error).message}`);
    }
    let exitPath: string | undefined;
    let resolveHello: (pid: number) => void = () => undefined;
    const hello = new Promise<number>((r) => (resolveHello = r));
    const exited = new Promise<ExitStatus>((resolve) => {
      let buf = '';
      control.on('data', (b: Buffer) => {
        const parts = (buf + b.toString()).split('\n');
        buf = parts.pop() ?? '';
        for (const p of parts.filter(Boolean)) {
          const ev = JSON.parse(p) as ShimEvent;
          if (ev.event === 'hello') {
            exitPath = ev.exitPath;
            resolveHello(ev.pid);
          } else if (ev.event === 'exit') resolve(ev.status);
        }
      });
      // The shim ends its side after the exit event; finish ours so it can quit without waiting.
      control.on('end', () => control.end());
      control.on('close', () => {
        resolveHello(-1);
        // The shim writes exit.json before telling anyone, so if it exists it is the truth.
        void (exitPath ? readExitFile(exitPath).catch(() => undefined) : Promise.resolve(undefined)).then((s) => resolve(s ?? lostStatus()));
      });
    });
    const pid = await hello;
    if (pid === -1) throw new EngineError('NotFound', `container shim is not running (${socketPath})`);
    return new ShimConnection(socketPath, control, pid, exited);
  }

  resize(cols: number, rows: number): void {
    if (!this.control.destroyed) this.control.write(JSON.stringify({ op: 'resize', cols, rows }) + '\n');
  }

  async attach(streams: AttachStreams): Promise<AttachSession> {
    const sock = await connectSocket(this.socketPath, { op: 'attach', ...streams }).catch((e: Error) => {
      throw internal(`cannot attach to container shim: ${e.message}`);
    });
    const output = (async function* () {
      const dec = new FrameDecoder();
      for await (const chunk of sock as AsyncIterable<Buffer>) {
        for (const f of dec.push(chunk)) {
          if (f.type === FRAME_EXIT) return;
          yield { stream: f.type === FRAME_STDERR ? ('stderr' as const) : ('stdout' as const), data: f.payload };
        }
      }
    })();
    const input = streams.stdin
      ? new Writable({
          write: (chunk: Buffer, _enc, cb) => (sock.destroyed ? cb() : sock.write(chunk, () => cb())),
          final: (cb) => {
            sock.end();
            cb();
          },
        })
      : undefined;
    return { output, input, close: () => sock.destroy() };
  }

  /** Drops the connection; the shim and container keep running. */
  close(): void {
    this.control.destroy();
  }
}
