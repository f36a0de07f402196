// `docker exec`: runs `runc exec --process <json>` as a child of the engine, under node-pty when
// a TTY is wanted (runc proxies it and follows resizes), with pipes otherwise.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { OciProcess } from './oci-spec-types.ts';
import type { OciRuntime } from './oci-runtime.ts';
import { ChunkQueue } from './chunk-queue.ts';
import { capabilitySet } from './capabilities.ts';
import { spawnRuntimeProcess, type OutputStream } from './runtime-process.ts';
import { runtimeStartError, StartError } from './start-error.ts';
import { lastRuntimeError, waitForPid } from './runtime-start-watch.ts';

export interface ExecProcessSpec {
  args: string[];
  env: string[];
  cwd: string;
  user: { uid: number; gid: number; additionalGids: number[] };
  tty: boolean;
  /** The exact capability set; when absent it is derived from privileged/capAdd/capDrop like the container's. */
  capabilities?: string[];
  privileged?: boolean;
  bounding?: string[];
  capAdd?: string[];
  capDrop?: string[];
  /** Attach a stdin pipe (docker exec -i); default true. */
  stdin?: boolean;
  cols?: number;
  rows?: number;
}

export interface ExecHandle {
  /** Pid of the exec'd process on the host. */
  pid: number;
  output: AsyncIterable<{ stream: OutputStream; data: Buffer }>;
  input: Writable;
  resize(cols: number, rows: number): void;
  exited: Promise<number>;
}

export function execProcessJson(p: ExecProcessSpec): OciProcess {
  const caps = p.capabilities ? [...p.capabilities] : capabilitySet(p);
  return {
    terminal: p.tty,
    ...(p.tty && p.cols && p.rows ? { consoleSize: { height: p.rows, width: p.cols } } : {}),
    user: { uid: p.user.uid, gid: p.user.gid, additionalGids: [...p.user.additionalGids] },
    args: [...p.args],
    env: [...p.env],
    cwd: p.cwd || '/',
    capabilities: { bounding: caps, effective: [...caps], permitted: [...caps] },
    noNewPrivileges: false,
  };
}



/** Rejects with StartError (exitCode 126/127 like Docker) when the process cannot be started. */
export async function startExec(runtime: OciRuntime, containerId: string, proc: ExecProcessSpec): Promise<ExecHandle> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-exec-'));
  const files = { proc: path.join(dir, 'process.json'), pid: path.join(dir, 'pid'), log: path.join(dir, 'runtime.log') };
  await fs.writeFile(files.proc, JSON.stringify(execProcessJson(proc)), { mode: 0o600 });
  const args = ['--root', runtime.root, '--log', files.log, '--log-format', 'json', 'exec', '--process', files.proc, '--pid-file', files.pid, containerId];
  const output = new ChunkQueue<{ stream: OutputStream; data: Buffer }>();
  const rp = await spawnRuntimeProcess(runtime.path, args, {
    tty: proc.tty, stdin: proc.stdin ?? true, cols: proc.cols, rows: proc.rows,
    onOutput: (stream, data) => output.push({ stream, data }),
  });
  const exited = rp.exited.then(async (code) => {
    output.end();
    return code;
  });
  const pid = await waitForPid(files.pid, exited);
  if (pid === undefined) {
    await exited;
    const err = runtimeStartError(await lastRuntimeError(files.log, 'exec failed'), 'exec');
    await fs.rm(dir, { recursive: true, force: true });
    throw new StartError(err.kind, err.error, err.exitCode);
  }
  void exited.finally(() => fs.rm(dir, { recursive: true, force: true }));
  const input =
    rp.stdinStream ??
    new Writable({
      write: (chunk: Buffer, _enc, cb) => {
        rp.write(chunk);
        cb();
      },
      final: (cb) => {
        rp.endStdin();
        cb();
      },
    });
  return { pid, output, input, resize: (c, r) => rp.resize(c, r), exited };
}
