// The one place where engine errors become HTTP statuses and Docker's {"message": ...} body.
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { EngineError, type ErrorKind } from '../../errors.ts';
import { log } from '../../log.ts';

const STATUS: Record<ErrorKind, number> = {
  NotFound: 404,
  InvalidArgument: 400,
  Conflict: 409,
  Unavailable: 503,
  NotImplemented: 501,
  NotModified: 304,
  Forbidden: 403,
  Unauthorized: 401,
  Internal: 500,
};

export function errorStatus(e: unknown): { status: number; message: string } {
  if (e instanceof EngineError) return { status: STATUS[e.kind], message: e.message };
  log.error('internal error', { err: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  return { status: 500, message: e instanceof Error ? e.message : String(e) };
}

export function sendError(res: ServerResponse | undefined, socket: Duplex | undefined, e: unknown): void {
  const { status, message } = errorStatus(e);
  const body = status === 304 ? '' : JSON.stringify({ message }) + '\n';
  if (res) {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(body);
  } else if (socket && !socket.destroyed) {
    socket.end(`HTTP/1.1 ${status} Error\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
}
