// Web mode: the built renderer and the typed API (a WebSocket at /api carrying the protocol's
// JSON messages, one per frame) on 127.0.0.1. See ui-security.ts for what the token guards.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { createDispatcher, type ApiImplementation } from '../../../protocol/src/index.ts';
import { contentType, PLACEHOLDER_HTML, resolveStatic } from './static-files.ts';
import { hostAllowed, newToken, originAllowed, securityHeaders, tokenMatches } from './ui-security.ts';
import { CLOSE_UNAUTHORIZED } from './ws-client-transport.ts';

export interface UiServerOptions {
  service: ApiImplementation;
  /** dist/renderer: the renderer's vite build. */
  rendererDir: string;
  /** dist/renderer-bootstrap/berth-web.js. */
  bootstrapFile: string;
  /** 0 or absent: a free port. */
  port?: number;
  token?: string;
}

export interface UiServer {
  port: number;
  token: string;
  /** The page to open: http://127.0.0.1:PORT/?token=T */
  url: string;
  close(): Promise<void>;
}

const MAX_MESSAGE = 16 * 1024 * 1024;

export async function startUiServer(opts: UiServerOptions): Promise<UiServer> {
  const token = opts.token ?? newToken();
  let port = 0;
  const server = http.createServer((req, res) => {
    void serveHttp(req, res, { ...opts, token, port }).catch((e) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`internal error: ${(e as Error).message}\n`);
    });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/api') return refuse(socket, 404, 'Not Found');
    if (!hostAllowed(req, port) || !originAllowed(req, port)) return refuse(socket, 403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => {
      // Accepted then closed, so a browser page can tell a bad token (4401) from a network error.
      if (!tokenMatches(url.searchParams.get('token'), token)) return ws.close(CLOSE_UNAUTHORIZED, 'missing or wrong token');
      serveApi(ws, opts.service);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as { port: number }).port;
  return {
    port,
    token,
    url: `http://127.0.0.1:${port}/?token=${token}`,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function serveApi(ws: WebSocket, service: ApiImplementation): void {
  const dispatcher = createDispatcher(service, (m) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
  });
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    let msg: unknown;
    try {
      msg = JSON.parse(data.toString());
    } catch {
      return ws.close(1003, 'messages are JSON text');
    }
    dispatcher.receive(msg);
  });
  ws.on('close', () => dispatcher.close());
  ws.on('error', () => dispatcher.close());
}

async function serveHttp(req: IncomingMessage, res: ServerResponse, o: UiServerOptions & { token: string; port: number }): Promise<void> {
  const headers = securityHeaders(o.port);
  const send = (status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}) => {
    res.writeHead(status, { ...headers, 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(body)), ...extra });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const text = (status: number, body: string) => send(status, 'text/plain; charset=utf-8', body + '\n');
  if (!hostAllowed(req, o.port)) return text(403, 'Forbidden: this server answers only to 127.0.0.1 and localhost.');
  if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'Method Not Allowed');
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/api') return text(426, 'Upgrade Required: /api is a WebSocket.');
  if (url.pathname === '/berth-web.js') {
    const body = await fs.readFile(o.bootstrapFile).catch(() => undefined);
    if (!body) return text(404, 'berth-web.js is not built: run npm run build.');
    return send(200, contentType(o.bootstrapFile), body, { 'Cache-Control': 'no-cache' });
  }
  const asset = url.pathname === '/' || url.pathname === '/index.html' ? undefined : await resolveStatic(o.rendererDir, url.pathname);
  if (asset) return send(200, contentType(asset), await fs.readFile(asset), { 'Cache-Control': 'no-cache' });
  // Unknown paths with an extension are missing assets; the rest are the single-page app's routes.
  if (path.extname(url.pathname) && url.pathname !== '/index.html') return text(404, 'Not Found');
  if (!tokenMatches(url.searchParams.get('token'), o.token)) {
    return text(401, 'Unauthorized: open the URL with the token that `berth ui` printed.');
  }
  const html = await fs.readFile(path.join(o.rendererDir, 'index.html')).catch(() => PLACEHOLDER_HTML);
  return send(200, 'text/html; charset=utf-8', html, { 'Cache-Control': 'no-store' });
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
