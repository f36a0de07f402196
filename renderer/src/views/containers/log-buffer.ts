// The Logs tab's lines: appended in batches, capped, and searched.
import type { LogLine } from '../../../../protocol/src/api-shapes.ts';

export const MAX_LOG_LINES = 5000;

export interface NumberedLine extends LogLine {
  n: number;
}

export function appendLines(lines: NumberedLine[], batch: LogLine[], firstN: number): NumberedLine[] {
  const added = batch.map((l, i) => ({ ...l, n: firstN + i }));
  const next = lines.concat(added);
  return next.length > MAX_LOG_LINES ? next.slice(next.length - MAX_LOG_LINES) : next;
}

export function searchLines(lines: NumberedLine[], query: string): NumberedLine[] {
  const q = query.toLowerCase();
  return q ? lines.filter((l) => l.text.toLowerCase().includes(q)) : lines;
}

/** The text split around each case-insensitive match, matches at odd indexes. */
export function splitMatches(text: string, query: string): string[] {
  if (!query) return [text];
  const parts: string[] = [];
  const lower = text.toLowerCase();
  const q = query.toLowerCase();
  let at = 0;
  for (let i = lower.indexOf(q); i >= 0; i = lower.indexOf(q, i + q.length)) {
    parts.push(text.slice(at, i), text.slice(i, i + q.length));
    at = i + q.length;
  }
  parts.push(text.slice(at));
  return parts;
}

export function formatLogTime(time: string): string {
  const d = new Date(time);
  if (Number.isNaN(d.getTime())) return time;
  return d.toISOString().replace('T', ' ').slice(0, 23);
}
