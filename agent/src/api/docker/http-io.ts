// Request-body parsing and response writing shared by the route files.
import type { IncomingMessage } from 'node:http';
import { invalid } from '../../errors.ts';
import type { RequestContext } from './router.ts';

export async function readBody(req: IncomingMessage, head?: Buffer): Promise<Buffer> {
  const chunks: Buffer[] = head?.length ? [head] : [];
  const want = Number(req.headers['content-length'] ?? NaN);
  let got = head?.length ?? 0;
  if (!Number.isNaN(want) && got >= want) return Buffer.concat(chunks).subarray(0, want);
  for await (const c of req as AsyncIterable<Buffer>) {
    chunks.push(c);
    got += c.length;
    if (!Number.isNaN(want) && got >= want) break;
  }
  return Buffer.concat(chunks);
}

/** Parses a JSON body; malformed JSON is a 400 with the parser's message, as Docker does. */
export async function jsonBody<T = unknown>(c: RequestContext, opts: { optional?: boolean } = {}): Promise<T> {
  const raw = await readBody(c.req, c.hijack?.head);
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
