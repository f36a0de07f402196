// Reads a Docker json-file log (written by log-writer.ts): filters by time, tails efficiently
// from the end of the file, and follows it as it grows until aborted or the container exits.
import fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { LogStream } from './log-writer.ts';

export interface LogEntry {
  stream: LogStream;
  time: string;
  line: Buffer;
}

export interface ReadLogsOptions {
  /** Unix seconds (fractional ok): entries at or after. */
  since?: number;
  /** Unix seconds: entries at or before. */
  until?: number;
  /** Last N lines only (before the time filter, as dockerd); undefined or negative = all. */
  tail?: number;
  follow: boolean;
  signal: AbortSignal;
  /** In follow mode: once this settles (container exit), read what is left and finish. */
  stopWhen?: Promise<unknown>;
}

const CHUNK = 64 * 1024;

/** RFC3339(Nano) to unix seconds, keeping the sub-millisecond digits Date drops. */
export function parseLogTime(time: string): number {
  const m = /^(.{19})(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!m) return Date.parse(time) / 1000;
  return Date.parse(m[1] + m[3]) / 1000 + (m[2] ? Number(`0.${m[2]}`) : 0);
}

/** Offset where the last `n` lines of the file begin. */
export async function tailOffset(fh: FileHandle, n: number, size?: number): Promise<number> {
  const end = size ?? (await fh.stat()).size;
  if (n <= 0) return end;
  let count = 0;
  let pos = end;
  const buf = Buffer.alloc(CHUNK);
  while (pos > 0) {
    const start = Math.max(0, pos - CHUNK);
    const { bytesRead } = await fh.read(buf, 0, pos - start, start);
    for (let i = bytesRead - 1; i >= 0; i--) {
      // The file's final newline ends the last line; it does not start a new one.
      if (buf[i] !== 10 || start + i === end - 1) continue;
      if (++count === n) return start + i + 1;
    }
    pos = start;
  }
  return 0;
}

function parseLine(text: string): LogEntry | undefined {
  try {
    const e = JSON.parse(text) as { log?: string; stream?: string; time?: string };
    if (typeof e.log !== 'string') return undefined;
    return { stream: e.stream === 'stderr' ? 'stderr' : 'stdout', time: e.time ?? '', line: Buffer.from(e.log) };
  } catch {
    return undefined; // a torn last line after a crash
  }
}

/** Resolves on the next change to the file, a timeout (fs.watch can miss events), stop or abort. */
function nextChange(watcher: fs.FSWatcher | undefined, waits: Array<Promise<unknown>>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      watcher?.off('change', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    watcher?.on('change', done);
    for (const w of waits) void w.then(done, done);
  });
}

async function openWhenExists(file: string, o: ReadLogsOptions, stopped: () => boolean): Promise<FileHandle | undefined> {
  for (;;) {
    // Read the flag before trying: a stop seen before a failed open means there is nothing to drain.
    const wasStopped = stopped();
    try {
      return await fs.promises.open(file, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      if (!o.follow || o.signal.aborted || wasStopped) return undefined;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function* readLogs(file: string, o: ReadLogsOptions): AsyncGenerator<LogEntry> {
  let stopped = false;
  const stop = o.stopWhen?.then(() => (stopped = true), () => (stopped = true));
  const aborted = new Promise<void>((r) => (o.signal.aborted ? r() : o.signal.addEventListener('abort', () => r(), { once: true })));
  const fh = await openWhenExists(file, o, () => stopped);
  if (!fh) return;
  const watcher = o.follow ? fs.watch(file, { persistent: false }) : undefined;
  watcher?.on('error', () => undefined);
  try {
    let pos = o.tail !== undefined && o.tail >= 0 ? await tailOffset(fh, o.tail) : 0;
    // Kept as bytes: a chunk may end inside a multi-byte character, never inside a "\n".
    let partial: Buffer = Buffer.alloc(0);
    const buf = Buffer.alloc(CHUNK);
    for (;;) {
      if (o.signal.aborted) return;
      const wasStopped = stopped;
      const { bytesRead } = await fh.read(buf, 0, CHUNK, pos);
      if (bytesRead > 0) {
        pos += bytesRead;
        const data = Buffer.concat([partial, buf.subarray(0, bytesRead)]);
        const last = data.lastIndexOf(10);
        partial = Buffer.from(data.subarray(last + 1));
        const lines = last === -1 ? [] : data.toString('utf8', 0, last).split('\n');
        for (const l of lines) {
          const e = l ? parseLine(l) : undefined;
          if (!e) continue;
          const t = o.since !== undefined || o.until !== undefined ? parseLogTime(e.time) : 0;
          if (o.since !== undefined && t < o.since) continue;
          if (o.until !== undefined && t > o.until) return;
          yield e;
        }
        continue;
      }
      // At the end: done unless following; when following, a stop seen before this read means drained.
      if (!o.follow || wasStopped) return;
      await nextChange(watcher, [aborted, ...(stop ? [stop] : [])], 250);
    }
  } finally {
    watcher?.close();
    await fh.close();
  }
}
