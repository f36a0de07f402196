// Minimal HTTP(S) client for registries over node:http/https: manual redirects (Authorization is
// only sent back to the origin it was meant for), unverified TLS for insecure registries, abort
// signals, and streamed request and response bodies.
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: Buffer | Readable;
  /** Accept any TLS certificate (insecure registries only). */
  insecure?: boolean;
  signal?: AbortSignal;
  /** Follow 3xx for GET/HEAD (default true). */
  followRedirects?: boolean;
}

export interface HttpResponse {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  /** The URL that answered (after redirects). */
  url: string;
  body: IncomingMessage;
}

const maxRedirects = 10;
const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 16 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 16 }),
  httpsInsecure: new https.Agent({ keepAlive: true, maxSockets: 16, rejectUnauthorized: false }),
};

/** True for failures below HTTP (refused, reset, TLS): the kind that makes an insecure registry fall back to http. */
export function isNetworkError(e: unknown): boolean {
  const err = e as NodeJS.ErrnoException & { name?: string };
  return !!err && (typeof err.code === 'string' || /socket hang up|ssl|tls|EPROTO/i.test(String(err.message))) && err.name !== 'AbortError';
}

export async function httpRequest(req: HttpRequest): Promise<HttpResponse> {
  let url = req.url;
  let headers = { ...req.headers };
  for (let i = 0; ; i++) {
    const res = await once({ ...req, url, headers });
    const location = res.headers.location;
    const redirect = [301, 302, 303, 307, 308].includes(res.status) && location && (req.followRedirects ?? true) && (req.method === 'GET' || req.method === 'HEAD');
    if (!redirect) return res;
    res.body.resume();
    if (i >= maxRedirects) throw new Error(`${req.method} "${req.url}": stopped after ${maxRedirects} redirects`);
    const next = new URL(location, url);
    if (next.origin !== new URL(url).origin) {
      // Blob storage (S3, a CDN) gets no registry credentials: the redirect URL carries its own.
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'));
    }
    url = next.toString();
  }
}

function once(req: HttpRequest): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const u = new URL(req.url);
    const secure = u.protocol === 'https:';
    const headers: Record<string, string> = { 'User-Agent': 'berth', ...req.headers };
    if (Buffer.isBuffer(req.body)) headers['Content-Length'] = String(req.body.length);
    else if (req.body === undefined && ['POST', 'PUT', 'PATCH'].includes(req.method)) headers['Content-Length'] = '0';
    const options = {
      method: req.method,
      headers,
      signal: req.signal,
      agent: secure ? (req.insecure ? agents.httpsInsecure : agents.https) : agents.http,
    };
    const r = (secure ? https : http).request(u, options, (res) => {
      resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: res.headers, url: req.url, body: res });
    });
    r.on('error', reject);
    if (req.body === undefined) r.end();
    else if (Buffer.isBuffer(req.body)) r.end(req.body);
    else {
      req.body.on('error', (e) => r.destroy(e));
      req.body.pipe(r);
    }
  });
}

/** Reads a (small) response body, refusing more than `limit` bytes. */
export async function readBody(res: HttpResponse, limit = 4 << 20): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of res.body) {
    n += (c as Buffer).length;
    if (n > limit) {
      res.body.destroy();
      throw new Error(`response from ${res.url} is larger than ${limit} bytes`);
    }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
