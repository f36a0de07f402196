import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FrameDemuxer, readFrames, readJsonLines } from './docker-streams.ts';

const frame = (stream: 1 | 2, text: string) => {
  const data = Buffer.from(text);
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(data.length, 4);
  return Buffer.concat([h, data]);
};

describe('Docker stream framing', () => {
  it('demultiplexes frames split anywhere, including inside the header', () => {
    const all = Buffer.concat([frame(1, 'out one\n'), frame(2, 'err\n'), frame(1, ''), frame(1, 'ünïcode\n')]);
    for (let cut = 1; cut < all.length; cut++) {
      const d = new FrameDemuxer();
      const got = [...d.push(all.subarray(0, cut)), ...d.push(all.subarray(cut))];
      expect(got.map((f) => `${f.stream}:${f.data.toString()}`)).toEqual(['stdout:out one\n', 'stderr:err\n', 'stdout:', 'stdout:ünïcode\n']);
      expect(d.leftover).toBe(0);
    }
  });

  it('passes a TTY stream through as stdout', async () => {
    const frames = [];
    for await (const f of readFrames(Readable.from([Buffer.from('raw\r\n')]), true)) frames.push(f);
    expect(frames).toEqual([{ stream: 'stdout', data: Buffer.from('raw\r\n') }]);
  });

  it('parses JSON lines across chunk boundaries and a last line without newline', async () => {
    const body = Readable.from([Buffer.from('{"a":1}\n{"a"'), Buffer.from(':2}\n\n{"a":3}')]);
    const got = [];
    for await (const v of readJsonLines<{ a: number }>(body)) got.push(v.a);
    expect(got).toEqual([1, 2, 3]);
  });

  it('ends quietly when the subscriber aborts', async () => {
    const body = new Readable({ read() {} });
    body.push(Buffer.from('{"a":1}\n'));
    const ac = new AbortController();
    const got: number[] = [];
    const done = (async () => {
      for await (const v of readJsonLines<{ a: number }>(body, ac.signal)) {
        got.push(v.a);
        ac.abort();
      }
    })();
    await expect(done).resolves.toBeUndefined();
    expect(got).toEqual([1]);
    expect(body.destroyed).toBe(true);
  });
});
