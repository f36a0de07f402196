// Request-body parsing and response writing shared by the route files.
import type { IncomingMessage } from 'node:http';
import { invalid } from '../../errors.ts';
import type { Duplex } from 'node:stream';
import type { Hijack, RequestContext } from './router.ts';

export async function readBody(req: IncomingMessage, hijack?: Hijack): Promise<Buffer> {
  const want = Number(req.headers['content-length'] ?? NaN);
  if (hijack) return readHijackedBody(hijack, Number.isNaN(want) ? 0 : want);
  const chunks: Buffer[] = [];
  let got = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    chunks.push(c);
    got += c.length;
    if (!Number.isNaN(want) && got >= want) break;
  }
  return Buffer.concat(chunks);
}

/**
 * After an Upgrade, Node's parser is gone: the body is whatever of `head` and the raw socket makes
 * up Content-Length bytes, and what follows it is already the client's stream (exec/attach stdin).
 * Reading the request object instead found nothing, so the JSON body used to reach the process's
 * stdin when it came in a later packet than the headers.
 */
async function readHijackedBody(h: Hijack, want: number): Promise<Buffer> {
  let buf = h.head;
  while (buf.length < want) {
    const chunk = await nextChunk(h.socket);
    if (!chunk) break;
    buf = Buffer.concat([buf, chunk]);
  }
  if (buf.length > want) h.socket.unshift(buf.subarray(want));
  // The head is consumed (body, or handed back to the socket): nobody may read it twice.
  h.head = Buffer.alloc(0);
  return buf.subarray(0, want);
}

function nextChunk(socket: Duplex): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const read = () => {
      const c = socket.read() as Buffer | null;
      if (c) return finish(c);
      if (socket.readableEnded || socket.destroyed) return finish(undefined);
    };
    const finish = (c: Buffer | undefined) => {
      socket.off('readable', read);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      resolve(c);
    };
    const onEnd = () => finish(undefined);
    socket.on('readable', read);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    read();
  });
}

/** Parses a JSON body; malformed JSON is a 400 with the parser's message, as Docker does. */
export async function jsonBody<T = unknown>(c: RequestContext, opts: { optional?: boolean } = {}): Promise<T> {
  const raw = await readBody(c.req, c.hijack);
  if (raw.length === 0) {
    if (opts.optional) return {} as T;
    throw invalid('bad parameter: body is empty');
  }
  try {
    return JSON.parse(raw.toString('utf8')) as T;
  } catch (e) {
    throw invalid(`invalid JSON: ${(e as Error).message}`);
  }
}

export function sendJson(c: RequestContext, status: number, body: unknown): void {
  const text = JSON.stringify(body) + '\n';
  c.res!.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  c.res!.end(c.req.method === 'HEAD' ? undefined : text);
}

export function sendEmpty(c: RequestContext, status = 204): void {
  c.res!.writeHead(status);
  c.res!.end();
}

export function bool(q: URLSearchParams, name: string, dflt = false): boolean {
  const v = q.get(name);
  if (v === null || v === '') return dflt;
  return v === '1' || v.toLowerCase() === 'true';
}

export function int(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw invalid(`invalid value for ${name}: ${v}`);
  return n;
}

/** Docker's `filters` query parameter: {"key":["v1","v2"]} or the legacy {"key":{"v1":true}}. */
export function parseFilters(q: URLSearchParams): Map<string, string[]> {
  const raw = q.get('filters');
  const out = new Map<string, string[]>();
  if (!raw) return out;
  let obj: Record<string, string[] | Record<string, boolean>>;
  try {
    obj = JSON.parse(raw);
  } catch {
    throw invalid(`invalid filter '${raw}'`);
  }
  for (const [k, v] of Object.entries(obj)) out.set(k, Array.isArray(v) ? v : Object.keys(v).filter((x) => v[x]));
  return out;
}

/** Docker's time parameters: unix seconds (fractional allowed) or RFC 3339. */
export function parseTime(v: string | null): number | undefined {
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw invalid(`invalid time value: ${v}`);
  return t / 1000;
}
