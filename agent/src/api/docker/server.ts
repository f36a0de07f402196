// The Docker Engine API over HTTP on a unix socket (owner-only). Parses the optional /v1.xx
// prefix, routes, and sends every failure through error-response.ts.
import http from 'node:http';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { invalid, notFound } from '../../errors.ts';
import type { Engine } from '../../engine/engine.ts';
import { Router, type RequestContext } from './router.ts';
import { sendError } from './error-response.ts';
import { registerSystemRoutes } from './routes/system-routes.ts';
import { registerImageRoutes } from './routes/image-routes.ts';
import { registerContainerRoutes } from './routes/container-routes.ts';
import { registerContainerIoRoutes } from './routes/container-io-routes.ts';
import { registerExecRoutes } from './routes/exec-routes.ts';
import { registerVolumeRoutes } from './routes/volume-routes.ts';
import { registerNetworkRoutes } from './routes/network-routes.ts';
import { registerRegistryRoutes } from './routes/registry-routes.ts';

export const API_VERSION = '1.50';
export const MIN_API_VERSION = '1.24';

export function createRouter(engine: Engine): Router {
  const r = new Router();
  registerSystemRoutes(r, engine);
  registerImageRoutes(r, engine);
  registerContainerRoutes(r, engine);
  registerContainerIoRoutes(r, engine);
  registerExecRoutes(r, engine);
  registerVolumeRoutes(r, engine);
  registerNetworkRoutes(r, engine);
  registerRegistryRoutes(r, engine);
  return r;
}

export async function listenDockerApi(engine: Engine, socketPath: string): Promise<http.Server> {
  const router = createRouter(engine);
  const server = http.createServer({ keepAliveTimeout: 60_000 });
  server.on('request', (req, res) => void dispatch(router, req, res, undefined));
  server.on('upgrade', (req, socket, head) => void dispatch(router, req, undefined, { socket, head }));
  await fs.mkdir(path.dirname(socketPath), { recursive: true, mode: 0o700 });
  await fs.rm(socketPath, { force: true });
  // Owner-only from the first moment: no window where another user could connect.
  const oldMask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve());
    });
  } finally {
    process.umask(oldMask);
  }
  await fs.chmod(socketPath, 0o600);
  return server;
}

async function dispatch(router: Router, req: http.IncomingMessage, res: http.ServerResponse | undefined, hijack: { socket: Duplex; head: Buffer } | undefined) {
  const ac = new AbortController();
  const closer = res ?? hijack!.socket;
  closer.once('close', () => ac.abort());
  // A hijacked client that goes away mid-stream makes writes fail with EPIPE/ECONNRESET: that
  // ends this one stream (the close handler aborts it), never the engine.
  hijack?.socket.on('error', () => ac.abort());
  res?.setHeader('Api-Version', API_VERSION);
  res?.setHeader('Docker-Experimental', 'false');
  res?.setHeader('Ostype', 'linux');
  res?.setHeader('Server', 'Berth/0.1.0 (linux)');
  try {
    const url = new URL(req.url ?? '/', 'http://docker');
    let p = url.pathname;
    let version = Number(API_VERSION);
    const m = /^\/v(\d+\.\d+)(\/.*)$/.exec(p);
    if (m) {
      version = Number(m[1]);
      p = m[2];
      if (version < Number(MIN_API_VERSION)) {
        throw invalid(`client version ${m[1]} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`);
      }
      if (version > Number(API_VERSION)) {
        throw invalid(`client version ${m[1]} is too new. Maximum supported API version is ${API_VERSION}`);
      }
    }
    const route = router.match(req.method ?? 'GET', p);
    if (!route) throw notFound(`page not found`);
    const c: RequestContext = { req, res, hijack, params: route.params, query: url.searchParams, version, signal: ac.signal };
    await route.handler(c);
  } catch (e) {
    sendError(res, hijack?.socket, e);
  }
}
