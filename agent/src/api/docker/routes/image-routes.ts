// Image routes: list, inspect, history, tag, rmi, load, save, import, prune.
import type { Engine } from '../../../engine/engine.ts';
import type { ImageRecord } from '../../../image/image-store.ts';
import { EngineError, invalid } from '../../../errors.ts';
import type { Router, RequestContext } from '../router.ts';
import { bool, parseFilters, sendJson } from '../http-io.ts';
import { labelMatches } from '../mappers/container-filters.ts';
import { pullRoute } from './registry-routes.ts';

export function registerImageRoutes(r: Router, engine: Engine): void {
  const images = engine.ctx.images;
  const usedBy = (id: string) => engine.imageUsers(id);

  r.on('GET', '/images/json', (c) => {
    const match = imageFilter(engine, parseFilters(c.query));
    sendJson(c, 200, images.list().filter(match).map((i) => listJson(engine, i)));
  });

  r.on('POST', '/images/load', async (c) => {
    const res = c.res!;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    try {
      const lines = await images.load(c.req);
      for (const l of lines) res.write(JSON.stringify({ stream: `${l}\n` }) + '\n');
    } catch (e) {
      // Headers are out: Docker reports a failed load as an error line in the stream.
      res.write(JSON.stringify({ errorDetail: { message: (e as Error).message }, error: (e as Error).message }) + '\n');
    }
    res.end();
  });

  r.on('GET', '/images/get', (c) => save(c, engine, c.query.getAll('names')));
  r.on('GET', '/images/*name/get', (c) => save(c, engine, [c.params.name]));

  r.on('POST', '/images/create', async (c) => {
    if (c.query.get('fromSrc') !== '-') {
      if (c.query.get('fromSrc')) throw new EngineError('NotImplemented', 'importing from a URL is not supported; pipe the archive instead');
      return pullRoute(c, engine);
    }
    const repo = c.query.get('repo') ?? '';
    const tag = c.query.get('tag') ?? '';
    const ref = repo ? (tag ? `${repo}:${tag}` : repo) : undefined;
    const img = await images.importRootfs(c.req, { ref, changes: c.query.getAll('changes'), message: c.query.get('message') ?? undefined });
    sendJson(c, 200, { status: img.id });
  });

  r.on('POST', '/images/prune', async (c) => {
    const f = parseFilters(c.query);
    const all = (f.get('dangling') ?? ['true']).some((v) => v === 'false' || v === '0');
    const out = await images.prune({ all, usedBy });
    sendJson(c, 200, { ImagesDeleted: out.deleted.length ? out.deleted.map(delJson) : null, SpaceReclaimed: out.spaceReclaimed });
  });

  r.on('GET', '/images/*name/json', (c) => sendJson(c, 200, inspectJson(engine, images.get(c.params.name))));

  r.on('GET', '/images/*name/history', (c) =>
    sendJson(c, 200, images.history(c.params.name).map((h) => ({ Id: h.id, Created: h.created, CreatedBy: h.createdBy, Tags: h.tags.length ? h.tags : null, Size: h.size, Comment: h.comment }))),
  );

  r.on('POST', '/images/*name/tag', async (c) => {
    const repo = c.query.get('repo');
    if (!repo) throw invalid('repository name must have at least one component');
    const tag = c.query.get('tag');
    await images.tag(c.params.name, tag ? `${repo}:${tag}` : repo);
    c.res!.writeHead(201);
    c.res!.end();
  });

  r.on('DELETE', '/images/*name', async (c) => {
    const out = await images.remove(c.params.name, { force: bool(c.query, 'force'), noPrune: bool(c.query, 'noprune'), usedBy });
    sendJson(c, 200, out.map(delJson));
  });

  r.on('GET', '/images/search', () => {
    throw new EngineError('NotImplemented', 'registry search is not supported');
  });
}

const delJson = (d: { untagged?: string; deleted?: string }) => (d.untagged ? { Untagged: d.untagged } : { Deleted: d.deleted });

async function save(c: RequestContext, engine: Engine, names: string[]): Promise<void> {
  for (const n of names) engine.ctx.images.get(n);
  c.res!.writeHead(200, { 'Content-Type': 'application/x-tar' });
  await engine.ctx.images.save(names, c.res!);
  if (!c.res!.writableEnded) c.res!.end();
}

const created = (i: ImageRecord) => Math.floor(Date.parse(i.created) / 1000) || 0;

function listJson(engine: Engine, i: ImageRecord) {
  return {
    Id: i.id,
    ParentId: i.parent ?? '',
    RepoTags: i.repoTags,
    RepoDigests: i.repoDigests,
    Created: created(i),
    Size: i.size,
    SharedSize: -1,
    Labels: i.config.config?.Labels ?? null,
    Containers: engine.imageUsers(i.id).length,
  };
}

function inspectJson(engine: Engine, i: ImageRecord) {
  const cfg = i.config;
  const last = cfg.history?.filter((h) => h.comment)?.at(-1);
  return {
    Id: i.id,
    RepoTags: i.repoTags,
    RepoDigests: i.repoDigests,
    Parent: i.parent ?? '',
    Comment: last?.comment ?? '',
    Created: cfg.created ?? i.created,
    DockerVersion: '',
    Author: cfg.author ?? '',
    Config: cfg.config ?? {},
    Architecture: cfg.architecture ?? 'amd64',
    ...(cfg.variant ? { Variant: cfg.variant } : {}),
    Os: cfg.os ?? 'linux',
    Size: i.size,
    GraphDriver: { Name: 'overlay2', Data: { LowerDir: engine.ctx.images.lowerDirs(i).join(':') } },
    RootFS: { Type: 'layers', Layers: i.diffIds },
    Metadata: { LastTagTime: '0001-01-01T00:00:00Z' },
  };
}

function imageFilter(engine: Engine, f: Map<string, string[]>): (i: ImageRecord) => boolean {
  for (const k of f.keys()) if (!['dangling', 'reference', 'label', 'before', 'since', 'until'].includes(k)) throw invalid(`invalid filter '${k}'`);
  const dangling = f.get('dangling')?.[0];
  if (dangling !== undefined && !['true', 'false', '1', '0'].includes(dangling)) throw invalid(`invalid filter 'dangling=${dangling}'`);
  const before = f.get('before')?.[0];
  const since = f.get('since')?.[0];
  const beforeT = before ? created(engine.ctx.images.get(before)) : undefined;
  const sinceT = since ? created(engine.ctx.images.get(since)) : undefined;
  return (i) => {
    const isDangling = i.repoTags.length === 0;
    if (dangling !== undefined && isDangling !== (dangling === 'true' || dangling === '1')) return false;
    const refs = f.get('reference');
    if (refs && !refs.some((p) => i.repoTags.some((t) => refMatch(p, t)))) return false;
    if (!(f.get('label') ?? []).every((l) => labelMatches(i.config.config?.Labels ?? {}, l))) return false;
    if (beforeT !== undefined && created(i) >= beforeT) return false;
    if (sinceT !== undefined && created(i) <= sinceT) return false;
    return true;
  };
}

/** Docker matches `reference` filters as path globs against the familiar name, with or without tag. */
function refMatch(pattern: string, tag: string): boolean {
  const re = (p: string) => new RegExp('^' + p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]') + '$');
  const name = tag.replace(/:[^:/]+$/, '');
  return re(pattern).test(tag) || re(pattern).test(name);
}
