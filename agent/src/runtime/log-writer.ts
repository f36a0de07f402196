// Writes container output as Docker's json-file log: one JSON object per line,
// {"log":"…","stream":"stdout"|"stderr","time":"<RFC3339Nano>"}, so `docker logs` semantics
// (and tools that read the file) match dockerd's.
import fs from 'node:fs';

export type LogStream = 'stdout' | 'stderr';

// Date has milliseconds only; anchor a monotonic ns clock to it once so entries keep their order.
const anchorMs = BigInt(Date.now());
const anchorHr = process.hrtime.bigint();

/** Now as RFC3339 with nanoseconds, trailing zeros trimmed like Go's RFC3339Nano. */
export function rfc3339Nano(): string {
  const ns = anchorMs * 1_000_000n + (process.hrtime.bigint() - anchorHr);
  return formatNs(ns);
}

export function formatNs(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return new Date(ms).toISOString().slice(0, 19) + (frac ? `.${frac}` : '') + 'Z';
}

/** Splits a chunk into log entries: each line keeps its "\n"; a trailing partial line is its own entry. */
export function splitEntries(chunk: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, start)) {
    out.push(chunk.subarray(start, i + 1));
    start = i + 1;
  }
  if (start < chunk.length) out.push(chunk.subarray(start));
  return out;
}

export class LogWriter {
  private readonly out: fs.WriteStream;

  constructor(readonly path: string) {
    this.out = fs.createWriteStream(path, { flags: 'a', mode: 0o640 });
    this.out.on('error', () => undefined); // a full disk must not kill the shim and its container
  }

  write(stream: LogStream, chunk: Buffer): void {
    if (!chunk.length) return;
    const time = rfc3339Nano();
    const lines = splitEntries(chunk).map((l) => JSON.stringify({ log: l.toString('utf8'), stream, time }) + '\n');
    this.out.write(lines.join(''));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.out.end(() => resolve()));
  }
}
