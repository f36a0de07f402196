// A small client for the engine's Docker Engine API on a unix socket, built on node:http rather
// than dockerode: streams come back as plain Node streams we turn into AsyncIterables, the hijacked
// exec stream is one `Upgrade: tcp` request we control, errors carry the engine's own message and a
// kind, and the host bundle does not pull in ssh2 (dockerode's transport) and its native add-ons.
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { EngineApiError } from './engine-api-error.ts';

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
}

export class EngineClient {
  constructor(readonly socket: string) {}

  /** A JSON request; 204/304 and empty bodies give undefined. */
  async json<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.request(method, path, opts);
    const text = await readText(res);
    if (!text) return undefined as T;
    return JSON.parse(text) as T;
  }

  /** True when the engine answers /_ping. */
  async ping(): Promise<boolean> {
    try {
      const res = await this.request('GET', '/_ping', {});
      return (await readText(res)) === 'OK';
    } catch {
      return false;
    }
  }

  /** A streaming response (logs, stats, events, pull progress); destroyed when `signal` aborts. */
  async stream(method: string, path: string, opts: RequestOptions = {}): Promise<http.IncomingMessage> {
    return this.request(method, path, opts);
  }

  /** A hijacked connection (`Upgrade: tcp`): the raw duplex stream of an exec or attach. */
  hijack(path: string, body: unknown): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const payload = Buffer.from(JSON.stringify(body));
      const req = http.request({
        socketPath: this.socket,
        path,
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Length': payload.length, Connection: 'Upgrade', Upgrade: 'tcp' },
      });
      req.on('upgrade', (_res, socket, head) => {
        if (head.length) socket.unshift(head);
        resolve(socket);
      });
      req.on('response', (res) => {
        void readText(res).then((text) => reject(EngineApiError.fromResponse(res.statusCode ?? 500, text)), reject);
      });
      req.on('error', (e) => reject(EngineApiError.unreachable(this.socket, e)));
      req.end(payload);
    });
  }

  private request(method: string, path: string, opts: RequestOptions): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
      const req = http.request({
        socketPath: this.socket,
        path: path + queryString(opts.query),
        method,
        headers: payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {},
        signal: opts.signal,
      });
      req.on('response', (res) => {
        const status = res.statusCode ?? 500;
        if (status < 400) return resolve(res);
        void readText(res).then((text) => reject(EngineApiError.fromResponse(status, text)), reject);
      });
      req.on('error', (e) => reject(opts.signal?.aborted ? e : EngineApiError.unreachable(this.socket, e)));
      req.end(payload);
    });
  }
}

export function queryString(q: Query | undefined): string {
  if (!q) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined) continue;
    p.set(k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

async function readText(res: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
