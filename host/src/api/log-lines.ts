// Docker log frames (requested with timestamps=1) → one LogLine per line. A frame starts with its
// RFC 3339 timestamp and may hold several lines or part of one; a partial line waits, per stream,
// for the rest and keeps the time it started at.
import type { LogLine } from '../../../protocol/src/index.ts';
import type { Frame } from '../engine-client/docker-streams.ts';

const STAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) ?/;

export class LogLineSplitter {
  private readonly pending = new Map<LogLine['stream'], { time: string; text: string }>();

  push(frame: Frame): LogLine[] {
    let text = frame.data.toString('utf8');
    let time = '';
    const m = STAMP.exec(text);
    if (m) {
      time = m[1];
      text = text.slice(m[0].length);
    }
    const prev = this.pending.get(frame.stream);
    if (prev) {
      text = prev.text + text;
      time = prev.time || time;
      this.pending.delete(frame.stream);
    }
    const parts = text.split('\n');
    const rest = parts.pop()!;
    if (rest) this.pending.set(frame.stream, { time, text: rest });
    return parts.map((line) => ({ stream: frame.stream, time, text: line.replace(/\r$/, '') }));
  }

  /** Lines still waiting for their newline when the stream ends. */
  flush(): LogLine[] {
    const out = [...this.pending].map(([stream, p]) => ({ stream, time: p.time, text: p.text.replace(/\r$/, '') }));
    this.pending.clear();
    return out;
  }
}
