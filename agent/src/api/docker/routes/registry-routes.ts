// Registry routes: pull (POST /images/create?fromImage=…), push, and login (POST /auth).
// Credentials arrive per request (X-Registry-Auth or the /auth body) and are never stored.
import type { Engine } from '../../../engine/engine.ts';
import { EngineError, invalid } from '../../../errors.ts';
import { pull } from '../../../image/registry/puller.ts';
import { push } from '../../../image/registry/pusher.ts';
import { checkLogin } from '../../../image/registry/login.ts';
import { decodeRegistryAuthHeader } from '../../../image/registry/registry-config.ts';
import type { Router, RequestContext } from '../router.ts';
import { jsonBody, sendJson } from '../http-io.ts';
import { ProgressStream } from '../progress-stream.ts';
import { sendError } from '../error-response.ts';

/** fromImage + tag as the CLI sends them → one reference (a digest may come in `tag`). */
export function pullReference(fromImage: string, tag: string | null): string {
  if (!tag) return fromImage;
  if (/^[a-z0-9]+:[a-f0-9]{32,}$/.test(tag)) return `${fromImage}@${tag}`;
  return fromImage.includes('@') || /:[^/]+$/.test(fromImage) ? fromImage : `${fromImage}:${tag}`;
}

export async function pullRoute(c: RequestContext, engine: Engine): Promise<void> {
  const fromImage = c.query.get('fromImage');
  if (!fromImage) throw invalid('fromImage or fromSrc is required');
  if (c.query.get('tag') === '' && !/[:@]/.test(fromImage.split('/').pop() ?? '')) {
    throw new EngineError('NotImplemented', 'pulling all tags of a repository is not supported');
  }
  const ref = pullReference(fromImage, c.query.get('tag'));
  const auth = decodeRegistryAuthHeader(header(c, 'x-registry-auth'));
  const out = new ProgressStream(c.res!);
  try {
    await pull(engine.ctx.images, ref, {
      auth,
      platform: c.query.get('platform') || undefined,
      config: engine.ctx.registry,
      onProgress: (p) => out.progress(p),
      signal: c.signal,
    });
    engine.ctx.events.emit('image', 'pull', ref, { name: ref });
  } catch (e) {
    if (!out.hasStarted) return sendError(c.res, undefined, e);
    out.fail(e);
  }
  out.end();
}

export function registerRegistryRoutes(r: Router, engine: Engine): void {
  r.on('POST', '/images/*name/push', async (c) => {
    const tag = c.query.get('tag');
    const ref = tag ? `${c.params.name}:${tag}` : c.params.name;
    const auth = decodeRegistryAuthHeader(header(c, 'x-registry-auth'));
    const out = new ProgressStream(c.res!);
    try {
      await push(engine.ctx.images, ref, { auth, config: engine.ctx.registry, onProgress: (p) => out.progress(p), signal: c.signal });
      engine.ctx.events.emit('image', 'push', ref, { name: ref });
    } catch (e) {
      if (!out.hasStarted) return sendError(c.res, undefined, e);
      out.fail(e);
    }
    out.end();
  });

  r.on('POST', '/auth', async (c) => {
    const b = await jsonBody<{ username?: string; password?: string; serveraddress?: string; identitytoken?: string; registrytoken?: string }>(c);
    const res = await checkLogin(
      { username: b.username, password: b.password, serverAddress: b.serveraddress, identityToken: b.identitytoken, registryToken: b.registrytoken },
      engine.ctx.registry,
    );
    sendJson(c, 200, { Status: res.status, IdentityToken: res.identityToken ?? '' });
  });
}

function header(c: RequestContext, name: string): string | undefined {
  const v = c.req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
