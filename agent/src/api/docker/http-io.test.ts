import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readBody } from './http-io.ts';

const req = (length: number) => ({ headers: { 'content-length': String(length) } }) as unknown as IncomingMessage;

describe('readBody on a hijacked (upgraded) request', () => {
  it('takes the body from the head and the socket, and leaves what follows for the stream', async () => {
    const body = '{"Detach":false,"Tty":false}';
    const socket = new PassThrough();
    const hijack = { socket, head: Buffer.from(body.slice(0, 5)) };
    const got = readBody(req(body.length), hijack);
    // The rest of the body comes in a later packet, together with the first stdin bytes.
    setTimeout(() => socket.write(body.slice(5) + 'in\n'), 10);
    expect((await got).toString()).toBe(body);
    expect(hijack.head.length).toBe(0);
    expect((socket.read() as Buffer).toString()).toBe('in\n');
  });

  it('hands back stdin bytes that came in the head with the body', async () => {
    const socket = new PassThrough();
    const hijack = { socket, head: Buffer.from('{}stdin') };
    expect((await readBody(req(2), hijack)).toString()).toBe('{}');
    expect((socket.read() as Buffer).toString()).toBe('stdin');
  });

  it('stops at the end of the stream', async () => {
    const socket = new PassThrough();
    const got = readBody(req(10), { socket, head: Buffer.from('{"a"') });
    socket.end();
    expect((await got).toString()).toBe('{"a"');
  });
});
