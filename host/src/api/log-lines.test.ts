import { describe, expect, it } from 'vitest';
import { LogLineSplitter } from './log-lines.ts';

const f = (stream: 'stdout' | 'stderr', text: string) => ({ stream, data: Buffer.from(text) });

describe('log frames → lines', () => {
  it('splits the timestamp off and makes one line per newline', () => {
    const s = new LogLineSplitter();
    expect(s.push(f('stdout', '2025-01-02T03:04:05.123456789Z hello\nworld\n'))).toEqual([
      { stream: 'stdout', time: '2025-01-02T03:04:05.123456789Z', text: 'hello' },
      { stream: 'stdout', time: '2025-01-02T03:04:05.123456789Z', text: 'world' },
    ]);
  });

  it('joins a partial line with its continuation per stream, keeping the first time', () => {
    const s = new LogLineSplitter();
    expect(s.push(f('stdout', '2025-01-02T03:04:05Z par'))).toEqual([]);
    expect(s.push(f('stderr', '2025-01-02T03:04:06Z oops\n'))).toEqual([{ stream: 'stderr', time: '2025-01-02T03:04:06Z', text: 'oops' }]);
    expect(s.push(f('stdout', '2025-01-02T03:04:07Z tial\r\n'))).toEqual([{ stream: 'stdout', time: '2025-01-02T03:04:05Z', text: 'partial' }]);
  });

  it('flushes an unterminated last line and keeps empty lines', () => {
    const s = new LogLineSplitter();
    expect(s.push(f('stdout', '2025-01-02T03:04:05+02:00 \nlast')).map((l) => l.text)).toEqual(['']);
    expect(s.flush()).toEqual([{ stream: 'stdout', time: '2025-01-02T03:04:05+02:00', text: 'last' }]);
    expect(s.flush()).toEqual([]);
  });

  it('keeps text that has no timestamp', () => {
    expect(new LogLineSplitter().push(f('stdout', 'no stamp\n'))).toEqual([{ stream: 'stdout', time: '', text: 'no stamp' }]);
  });
});
