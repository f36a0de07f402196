// attach and logs. Output always comes from the container's json-file log, followed live: an
// attach made before start (as `docker run` does) therefore sees every byte, and attaching never
// races the shim. Input and resizes go to the shim over its socket.
import type { Readable } from 'node:stream';
import { readLogs } from '../runtime/log-file.ts';
import type { EngineContext } from './context.ts';
import type { ContainerRecord } from './types.ts';
import { containerPaths } from './container-paths.ts';
import { waitNextExit } from './container-lifecycle.ts';

export interface OutputChunk {
  stream: 'stdout' | 'stderr';
  data: Buffer;
  time?: string;
}

export interface LogQuery {
  follow: boolean;
  stdout: boolean;
  stderr: boolean;
  since?: number;
  until?: number;
  tail?: number;
  signal: AbortSignal;
}

const isLive = (rec: ContainerRecord) => rec.state.status === 'running' || rec.state.status === 'paused' || rec.state.status === 'restarting';

export async function* containerLogs(ctx: EngineContext, rec: ContainerRecord, q: LogQuery): AsyncGenerator<OutputChunk> {
  const follow = q.follow && isLive(rec);
  const stopWhen = follow ? waitExitOrRemoval(ctx, rec.id) : undefined;
  for await (const e of readLogs(containerPaths(ctx, rec.id).log, { ...q, follow, stopWhen })) {
    if ((e.stream === 'stdout' && q.stdout) || (e.stream === 'stderr' && q.stderr)) {
      yield { stream: e.stream, data: e.line, time: e.time };
    }
  }
}

function waitExitOrRemoval(ctx: EngineContext, id: string): Promise<number> {
  const rec = ctx.containers.tryGet(id);
  if (!rec || !isLive(rec)) return Promise.resolve(rec?.state.exitCode ?? 0);
  return waitNextExit(ctx, id);
}

export interface AttachOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  logs: boolean;
  stream: boolean;
  signal: AbortSignal;
}

export interface AttachSession {
  output: AsyncIterable<OutputChunk>;
  /** Feed client input; resolves when the container's stdin has been connected. */
  pipeInput(input: Readable): Promise<void>;
}

export function attachContainer(ctx: EngineContext, rec: ContainerRecord, o: AttachOptions): AttachSession {
  ctx.events.emit('container', 'attach', rec.id, { image: rec.spec.image, name: rec.name });
  const since = o.logs ? undefined : Date.now() / 1000;
  const running = isLive(rec);
  // Until the exit that follows this attach: the current run, or the next one for a created container.
  const stopWhen = running ? waitExitOrRemoval(ctx, rec.id) : waitNextExit(ctx, rec.id);
  const output = (async function* () {
    if (!o.stream && !o.logs) return;
    const follow = o.stream;
    for await (const e of readLogs(containerPaths(ctx, rec.id).log, { since, follow, stopWhen: follow ? stopWhen : undefined, signal: o.signal })) {
      if ((e.stream === 'stdout' && o.stdout) || (e.stream === 'stderr' && o.stderr)) yield { stream: e.stream, data: e.line };
    }
  })();
  return {
    output,
    async pipeInput(input: Readable) {
      if (!o.stdin || !rec.spec.openStdin) {
        input.resume();
        return;
      }
      const conn = await shimWhenRunning(ctx, rec.id, o.signal);
      if (!conn) return;
      const session = await conn.attach({ stdin: true, stdout: false, stderr: false });
      input.pipe(session.input!);
    },
  };
}

/** The shim connection of a container, waiting for it to start if it has not yet. */
async function shimWhenRunning(ctx: EngineContext, id: string, signal: AbortSignal) {
  for (;;) {
    const conn = ctx.shims.get(id);
    if (conn) return conn;
    if (signal.aborted || !ctx.containers.tryGet(id)) return undefined;
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function resizeContainer(ctx: EngineContext, rec: ContainerRecord, cols: number, rows: number): Promise<void> {
  const conn = ctx.shims.get(rec.id);
  if (conn) conn.resize(cols, rows);
}
