// The wire protocol on a shim's unix socket. A client sends one JSON header line:
//   {"op":"control"}  → the shim answers with JSON lines: {"event":"hello","pid":N,"exitPath":…}, later
//                       {"event":"exit","status":{…}}; the client may send {"op":"resize",…} lines.
//   {"op":"attach","stdin":b,"stdout":b,"stderr":b} → the shim sends Docker-style frames (8-byte
//                       header: stream type, 3 zero bytes, big-endian length), stream 1 stdout,
//                       2 stderr, 3 exit (JSON ExitStatus); the client's bytes after the header are
//                       container stdin, and its half-close ends stdin when the container has StdinOnce.
import type { ExitStatus } from './shim-config.ts';

export type ShimRequest =
  | { op: 'control' }
  | { op: 'attach'; stdin: boolean; stdout: boolean; stderr: boolean }
  | { op: 'resize'; cols: number; rows: number };

export type ShimEvent = { event: 'hello'; pid: number; exitPath: string } | { event: 'exit'; status: ExitStatus };

export const FRAME_STDOUT = 1;
export const FRAME_STDERR = 2;
export const FRAME_EXIT = 3;

export function encodeFrame(type: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head[0] = type;
  head.writeUInt32BE(payload.length, 4);
  return Buffer.concat([head, payload]);
}

/** Incremental frame parser: push chunks, get whole frames. */
export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Array<{ type: number; payload: Buffer }> {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Array<{ type: number; payload: Buffer }> = [];
    while (this.buf.length >= 8) {
      const len = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + len) break;
      out.push({ type: this.buf[0], payload: this.buf.subarray(8, 8 + len) });
      this.buf = this.buf.subarray(8 + len);
    }
    return out;
  }
}

/** Splits a byte stream into lines; returns complete lines and keeps the rest. */
export class LineSplitter {
  private rest = '';

  push(chunk: Buffer | string): string[] {
    const parts = (this.rest + chunk.toString()).split('\n');
    this.rest = parts.pop() ?? '';
    return parts;
  }

  /** Whatever followed the last newline, handed back once. */
  takeRest(): string {
    const r = this.rest;
    this.rest = '';
    return r;
  }
}
