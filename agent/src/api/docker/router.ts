// A small method+path router: patterns like /containers/:id/json. Docker's API has ~60 routes;
// a table is easier to read than a framework.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export interface Hijack {
  socket: Duplex;
  head: Buffer;
}

export interface RequestContext {
  req: IncomingMessage;
  /** Undefined for hijacked (Upgrade: tcp) requests. */
  res?: ServerResponse;
  hijack?: Hijack;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Negotiated API version, e.g. 1.50. */
  version: number;
  signal: AbortSignal;
}

export type Handler = (c: RequestContext) => Promise<void> | void;

interface Route {
  method: string;
  parts: string[];
  handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  on(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method, parts: pattern.split('/').filter(Boolean), handler });
    return this;
  }

  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | undefined {
    const segs = path.split('/').filter(Boolean);
    for (const r of this.routes) {
      if (r.method !== method && !(method === 'HEAD' && r.method === 'GET')) continue;
      const params = matchParts(r.parts, segs);
      if (params) return { handler: r.handler, params };
    }
    return undefined;
  }
}

function matchParts(parts: string[], segs: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  // A trailing '*name' swallows the rest: image names contain slashes (/images/a/b:c/json).
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p.startsWith('*')) {
      // Greedy match of the middle: '*name' followed by fixed suffix parts.
      const rest = parts.slice(i + 1);
      if (segs.length - i < rest.length + 1) return undefined;
      const tail = segs.slice(segs.length - rest.length);
      if (rest.some((r, k) => r !== tail[k])) return undefined;
      params[p.slice(1)] = decodeURIComponent(segs.slice(i, segs.length - rest.length).join('/'));
      return params;
    }
    if (i >= segs.length) return undefined;
    if (p.startsWith(':')) params[p.slice(1)] = decodeURIComponent(segs[i]);
    else if (p !== segs[i]) return undefined;
  }
  return segs.length === parts.length ? params : undefined;
}
