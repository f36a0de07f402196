import { afterEach, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readLogs, parseLogTime, type ReadLogsOptions } from './log-file.ts';
import { LogWriter, formatNs, rfc3339Nano, splitEntries } from './log-writer.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
});
async function tmpLog(): Promise<string> {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-log-'));
  dirs.push(d);
  return path.join(d, 'json.log');
}
const line = (log: string, t: string, stream = 'stdout') => JSON.stringify({ log, stream, time: t }) + '\n';
async function all(file: string, o: Partial<ReadLogsOptions> = {}) {
  const out: string[] = [];
  for await (const e of readLogs(file, { follow: false, signal: new AbortController().signal, ...o })) out.push(`${e.stream}:${e.line.toString()}`);
  return out;
}

describe('log writer', () => {
  it('formats RFC3339Nano like Go', () => {
    expect(formatNs(1_700_000_000_123_456_789n)).toBe('2023-11-14T22:13:20.123456789Z');
    expect(formatNs(1_700_000_000_120_000_000n)).toBe('2023-11-14T22:13:20.12Z');
    expect(formatNs(1_700_000_000_000_000_000n)).toBe('2023-11-14T22:13:20Z');
    const a = rfc3339Nano();
    const b = rfc3339Nano();
    expect(parseLogTime(b)).toBeGreaterThanOrEqual(parseLogTime(a));
    expect(Math.abs(parseLogTime(a) - Date.now() / 1000)).toBeLessThan(5);
  });
  it('splits chunks into entries and keeps partial lines', () => {
    expect(splitEntries(Buffer.from('a\nb\nc')).map(String)).toEqual(['a\n', 'b\n', 'c']);
    expect(splitEntries(Buffer.from('\n')).map(String)).toEqual(['\n']);
  });
  it('writes json-file entries', async () => {
    const f = await tmpLog();
    const w = new LogWriter(f);
    w.write('stdout', Buffer.from('hi\nthere'));
    w.write('stderr', Buffer.from('é\n'));
    await w.close();
    expect(await all(f)).toEqual(['stdout:hi\n', 'stdout:there', 'stderr:é\n']);
  });
});

describe('readLogs', () => {
  it('tails, filters by time and skips torn lines', async () => {
    const f = await tmpLog();
    const lines = Array.from({ length: 5 }, (_, i) => line(`l${i}\n`, `2024-01-01T00:00:0${i}.5Z`)).join('');
    await fs.writeFile(f, lines);
    expect(await all(f, { tail: 2 })).toEqual(['stdout:l3\n', 'stdout:l4\n']);
    expect(await all(f, { tail: 0 })).toEqual([]);
    expect(await all(f, { tail: 99 })).toHaveLength(5);
    const t0 = Date.parse('2024-01-01T00:00:00Z') / 1000;
    expect(await all(f, { since: t0 + 2.5 })).toEqual(['stdout:l2\n', 'stdout:l3\n', 'stdout:l4\n']);
    expect(await all(f, { since: t0 + 2.6, until: t0 + 3.5 })).toEqual(['stdout:l3\n']);
    expect(parseLogTime('2024-01-01T00:00:01.000000001Z')).toBeCloseTo(t0 + 1.000000001, 6);
    await fs.appendFile(f, '{"log":"tor');
    expect(await all(f)).toHaveLength(5);
  });

  it('tails across chunk boundaries', async () => {
    const f = await tmpLog();
    const big = 'x'.repeat(1000);
    await fs.writeFile(f, Array.from({ length: 300 }, (_, i) => line(`${i}${big}\n`, '2024-01-01T00:00:00Z')).join(''));
    const got = await all(f, { tail: 150 });
    expect(got).toHaveLength(150);
    expect(got[0]).toBe(`stdout:150${big}\n`);
  });

  it('follows until stopWhen, then drains', async () => {
    const f = await tmpLog();
    await fs.writeFile(f, line('a\n', '2024-01-01T00:00:00Z'));
    let stop!: () => void;
    const stopWhen = new Promise<void>((r) => (stop = r));
    const got: string[] = [];
    const done = (async () => {
      for await (const e of readLogs(f, { follow: true, signal: new AbortController().signal, stopWhen })) got.push(e.line.toString());
    })();
    await new Promise((r) => setTimeout(r, 50));
    await fs.appendFile(f, line('b\n', '2024-01-01T00:00:01Z'));
    for (let i = 0; i < 50 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(got).toEqual(['a\n', 'b\n']);
    await fs.appendFile(f, line('c\n', '2024-01-01T00:00:02Z'));
    stop();
    await done;
    expect(got).toEqual(['a\n', 'b\n', 'c\n']);
  });

  it('stops following on abort and waits for a missing file', async () => {
    const f = await tmpLog();
    const ac = new AbortController();
    const got: string[] = [];
    const done = (async () => {
      for await (const e of readLogs(f, { follow: true, signal: ac.signal })) got.push(e.line.toString());
    })();
    await new Promise((r) => setTimeout(r, 50));
    await fs.writeFile(f, line('late\n', '2024-01-01T00:00:00Z'));
    for (let i = 0; i < 50 && !got.length; i++) await new Promise((r) => setTimeout(r, 20));
    ac.abort();
    await done;
    expect(got).toEqual(['late\n']);
    expect(await all(path.join(path.dirname(f), 'nope.log'))).toEqual([]);
  });
});
