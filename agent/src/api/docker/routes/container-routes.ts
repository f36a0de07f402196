// Container lifecycle routes: list, create, inspect, start/stop/…, rm, top, stats, prune.
import type { Engine } from '../../../engine/engine.ts';
import { createContainer } from '../../../engine/container-create.ts';
import { startContainer } from '../../../engine/container-start.ts';
import { removeContainer } from '../../../engine/container-remove.ts';
import { containerPaths } from '../../../engine/container-paths.ts';
import { networkId } from '../../../engine/container-start.ts';
import {
  killContainer, parseSignal, pauseContainer, renameContainer, restartContainer, stopContainer, unpauseContainer, waitNextExit, waitNotRunning,
} from '../../../engine/container-lifecycle.ts';
import { containerStats, containerTop } from '../../../engine/container-stats.ts';
import { EngineError, invalid } from '../../../errors.ts';
import type { Router, RequestContext } from '../router.ts';
import { bool, int, jsonBody, parseFilters, sendEmpty, sendJson } from '../http-io.ts';
import { parseCreateBody } from '../mappers/create-body.ts';
import { inspectJson, listJson } from '../mappers/container-json.ts';
import { containerFilter } from '../mappers/container-filters.ts';
import { statsJson } from '../mappers/stats-json.ts';

export function registerContainerRoutes(r: Router, engine: Engine): void {
  const ctx = engine.ctx;
  const net = () => ({ networkId: networkId(ctx), bridge: ctx.opts.bridge, runtime: ctx.runtime.name });
  const get = (c: RequestContext) => ctx.containers.get(c.params.id);

  r.on('GET', '/containers/json', (c) => {
    const match = containerFilter(parseFilters(c.query), (ref) => ctx.images.tryGet(ref)?.id);
    let list = ctx.containers.list().filter(match);
    const showAll = bool(c.query, 'all') || (int(c.query, 'limit') ?? -1) > 0 || parseFilters(c.query).has('status');
    if (!showAll) list = list.filter((x) => x.state.status === 'running' || x.state.status === 'paused' || x.state.status === 'restarting');
    const limit = int(c.query, 'limit');
    if (limit && limit > 0) list = list.slice(0, limit);
    sendJson(c, 200, list.map((x) => listJson(x, net())));
  });

  r.on('POST', '/containers/create', async (c) => {
    const spec = parseCreateBody(await jsonBody(c), c.query.get('name'));
    const rec = await createContainer(ctx, spec);
    sendJson(c, 201, { Id: rec.id, Warnings: [] });
  });

  r.on('GET', '/containers/:id/json', (c) => {
    const rec = get(c);
    const p = containerPaths(ctx, rec.id);
    sendJson(c, 200, inspectJson(rec, net(), { dir: p.dir, log: p.log }));
  });

  r.on('POST', '/containers/:id/start', async (c) => {
    const rec = get(c);
    await ctx.lock(rec.id, async () => {
      if (rec.state.status === 'running' || rec.state.status === 'paused') throw new EngineError('NotModified', 'container already started');
      await startContainer(ctx, rec);
    });
    sendEmpty(c);
  });

  r.on('POST', '/containers/:id/stop', async (c) => {
    await stopContainer(ctx, get(c), int(c.query, 't') ?? int(c.query, 'timeout'));
    sendEmpty(c);
  });

  r.on('POST', '/containers/:id/restart', async (c) => {
    await restartContainer(ctx, get(c), int(c.query, 't') ?? int(c.query, 'timeout'));
    sendEmpty(c);
  });

  r.on('POST', '/containers/:id/kill', async (c) => {
    const rec = get(c);
    const signal = parseSignal(c.query.get('signal') || 'SIGKILL');
    const exited = waitNotRunning(ctx, rec.id);
    await killContainer(ctx, rec, signal);
    // Like dockerd: a KILL returns once the container is gone (bounded), so `kill; rm` works.
    if (signal === 'SIGKILL') await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
    sendEmpty(c);
  });

  r.on('POST', '/containers/:id/pause', async (c) => {
    await pauseContainer(ctx, get(c));
    sendEmpty(c);
  });

  r.on('POST', '/containers/:id/unpause', async (c) => {
    await unpauseContainer(ctx, get(c));
    sendEmpty(c);
  });

  r.on('POST', '/containers/:id/rename', async (c) => {
    await renameContainer(ctx, get(c), c.query.get('name') ?? '');
    sendEmpty(c);
  });

  r.on('POST', '/containers/:id/wait', (c) => waitRoute(c, engine));

  r.on('DELETE', '/containers/:id', async (c) => {
    const rec = get(c);
    await removeContainer(ctx, rec, { force: bool(c.query, 'force'), removeVolumes: bool(c.query, 'v') });
    engine.execs.forgetContainer(rec.id);
    sendEmpty(c);
  });

  r.on('GET', '/containers/:id/top', async (c) => sendJson(c, 200, await topJson(engine, c)));

  r.on('GET', '/containers/:id/stats', (c) => statsRoute(c, engine));

  r.on('POST', '/containers/prune', async (c) => {
    const match = containerFilter(parseFilters(c.query), () => undefined);
    const deleted: string[] = [];
    for (const rec of ctx.containers.list()) {
      if (rec.state.status !== 'exited' && rec.state.status !== 'created' && rec.state.status !== 'dead') continue;
      if (!match(rec)) continue;
      await removeContainer(ctx, rec, { removeVolumes: false });
      deleted.push(rec.id);
    }
    ctx.events.emit('container', 'prune', '', { reclaimed: '0' });
    sendJson(c, 200, { ContainersDeleted: deleted.length ? deleted : null, SpaceReclaimed: 0 });
  });
}

async function topJson(engine: Engine, c: RequestContext) {
  const t = await containerTop(engine.ctx, engine.ctx.containers.get(c.params.id), c.query.get('ps_args') ?? '');
  return { Titles: t.titles, Processes: t.processes };
}

async function waitRoute(c: RequestContext, engine: Engine): Promise<void> {
  const ctx = engine.ctx;
  const rec = ctx.containers.get(c.params.id);
  const cond = c.query.get('condition') || 'not-running';
  if (!['not-running', 'next-exit', 'removed'].includes(cond)) throw invalid(`invalid condition: "${cond}"`);
  const done = cond === 'not-running' ? waitNotRunning(ctx, rec.id) : cond === 'next-exit' ? waitNextExit(ctx, rec.id) : waitRemoved(engine, rec.id);
  // Headers go out now: the CLI waits for them before it starts the container.
  c.res!.writeHead(200, { 'Content-Type': 'application/json' });
  c.res!.flushHeaders();
  const code = await Promise.race([done, new Promise<null>((r) => c.signal.addEventListener('abort', () => r(null)))]);
  if (code === null) return;
  const cur = ctx.containers.tryGet(rec.id);
  c.res!.end(JSON.stringify({ StatusCode: code, Error: cur?.state.error ? { Message: cur.state.error } : null }) + '\n');
}

async function waitRemoved(engine: Engine, id: string): Promise<number> {
  for (;;) {
    const code = await waitNextExit(engine.ctx, id);
    if (!engine.ctx.containers.tryGet(id)) return code;
  }
}

async function statsRoute(c: RequestContext, engine: Engine): Promise<void> {
  const ctx = engine.ctx;
  const rec = ctx.containers.get(c.params.id);
  const stream = bool(c.query, 'stream', true) && !bool(c.query, 'one-shot');
  let prev = statsJson(rec, await containerStats(ctx, rec), undefined);
  if (!stream) {
    if (!bool(c.query, 'one-shot')) {
      // docker stats --no-stream wants a CPU delta: take a second sample, as dockerd does.
      await new Promise((r) => setTimeout(r, 1000));
      prev = statsJson(rec, await containerStats(ctx, rec), prev);
    }
    sendJson(c, 200, prev);
    return;
  }
  c.res!.writeHead(200, { 'Content-Type': 'application/json' });
  c.res!.write(JSON.stringify(prev) + '\n');
  while (!c.signal.aborted) {
    await new Promise((r) => setTimeout(r, 1000));
    const cur = ctx.containers.tryGet(rec.id);
    if (!cur || c.signal.aborted) break;
    prev = statsJson(cur, await containerStats(ctx, cur), prev);
    c.res!.write(JSON.stringify(prev) + '\n');
  }
  c.res!.end();
}
