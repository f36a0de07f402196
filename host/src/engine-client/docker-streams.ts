// Readers for Docker's streaming encodings: the 8-byte multiplexed frames of logs/attach/exec
// without a TTY, and newline-delimited JSON (events, stats, pull progress).
import type { Readable } from 'node:stream';

export interface Frame {
  stream: 'stdout' | 'stderr';
  data: Buffer;
}

/** Splits Docker's [stream, 0, 0, 0, size(be32)] frames out of arbitrary chunks. */
export class FrameDemuxer {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: Frame[] = [];
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      // stdin (0) never appears in output; treat anything but 2 as stdout, as the docker CLI does.
      out.push({ stream: this.pending[0] === 2 ? 'stderr' : 'stdout', data: this.pending.subarray(8, 8 + size) });
      this.pending = this.pending.subarray(8 + size);
    }
    return out;
  }

  /** Bytes of an incomplete frame left at the end of the stream. */
  get leftover(): number {
    return this.pending.length;
  }
}

/** Frames of a response: demultiplexed, or one stdout frame per chunk for a TTY (raw) stream. */
export async function* readFrames(body: Readable, tty: boolean, signal?: AbortSignal): AsyncGenerator<Frame> {
  const demux = new FrameDemuxer();
  for await (const chunk of untilAborted(body, signal)) {
    if (tty) yield { stream: 'stdout', data: chunk };
    else yield* demux.push(chunk);
  }
}

/** One parsed value per JSON line. */
export async function* readJsonLines<T>(body: Readable, signal?: AbortSignal): AsyncGenerator<T> {
  let buf = '';
  for await (const chunk of untilAborted(body, signal)) {
    buf += chunk.toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) yield JSON.parse(line) as T;
    }
  }
  if (buf.trim()) yield JSON.parse(buf) as T;
}

/** Chunks of a stream; aborting the signal ends the iteration quietly and frees the connection. */
async function* untilAborted(body: Readable, signal?: AbortSignal): AsyncGenerator<Buffer> {
  if (signal?.aborted) {
    body.destroy();
    return;
  }
  const onAbort = () => body.destroy();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of body) yield chunk as Buffer;
  } catch (e) {
    if (!signal?.aborted) throw e;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    body.destroy();
  }
}
