// The host agent's progress and state events, one JSON line each in BERTH_HOME/logs
// (Lima's ha.stdout.log): the agent appends, `berth start` follows the file.
import { appendFileSync, closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import { HostAgentEventSchema, type HostAgentEvent } from '../../../protocol/src/link.ts';

type Distribute<T> = T extends { time: string } ? Omit<T, 'time'> : never;
export type HostAgentEventInput = Distribute<HostAgentEvent>;

export class EventLog {
  constructor(readonly file: string) {}

  reset(): void {
    writeFileSync(this.file, '', { mode: 0o600 });
  }

  emit(e: HostAgentEventInput): void {
    appendFileSync(this.file, JSON.stringify({ ...e, time: new Date().toISOString() }) + '\n');
  }
}

/** Reads whole lines appended since the last call. */
export class EventLogReader {
  private offset = 0;
  private partial = '';

  constructor(readonly file: string) {}

  read(): HostAgentEvent[] {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return [];
    }
    const buf = Buffer.alloc(64 * 1024);
    let text = '';
    try {
      let n: number;
      while ((n = readSync(fd, buf, 0, buf.length, this.offset)) > 0) {
        this.offset += n;
        text += buf.toString('utf8', 0, n);
      }
    } finally {
      closeSync(fd);
    }
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    const out: HostAgentEvent[] = [];
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        const parsed = HostAgentEventSchema.safeParse(JSON.parse(line));
        if (parsed.success) out.push(parsed.data);
      } catch {
        // a torn line from a killed agent: skip it
      }
    }
    return out;
  }
}
