// Docker's stream framing for attach/logs/exec without a TTY: an 8-byte header
// [stream, 0, 0, 0, size(be32)] before each chunk; stream 1 = stdout, 2 = stderr.
import type { Duplex } from 'node:stream';
import type { ServerResponse } from 'node:http';

export function frame(stream: 'stdout' | 'stderr', data: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h[0] = stream === 'stdout' ? 1 : 2;
  h.writeUInt32BE(data.length, 4);
  return Buffer.concat([h, data]);
}

/** Where a hijacked or plain streaming response writes: a raw socket or a ServerResponse. */
export interface Sink {
  write(b: Buffer): boolean;
  end(): void;
  closed: Promise<void>;
}

export function socketSink(socket: Duplex, contentType: string): Sink {
  socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  return {
    write: (b) => (socket.writable ? socket.write(b) : false),
    end: () => {
      if (!socket.writableEnded) socket.end();
    },
    closed,
  };
}

export function responseSink(res: ServerResponse, contentType: string): Sink {
  res.writeHead(200, { 'Content-Type': contentType });
  res.flushHeaders();
  const closed = new Promise<void>((r) => res.once('close', () => r()));
  return { write: (b) => res.write(b), end: () => res.end(), closed };
}

export const contentTypeFor = (tty: boolean) =>
  tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream';
