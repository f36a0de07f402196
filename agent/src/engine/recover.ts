// After a restart (clean or kill -9): re-adopt containers whose shim still runs, record the exit
// of those that ended while the engine was away, release what they held, and bring back
// containers whose restart policy asks for it — as dockerd does with live-restore.
import { log } from '../log.ts';
import { ShimConnection, readExitFile } from '../runtime/shim-client.ts';
import type { EngineContext } from './context.ts';
import type { ContainerRecord } from './types.ts';
import { containerPaths } from './container-paths.ts';
import { releaseResources, watchExit } from './container-exit.ts';
import { startContainer } from './container-start.ts';

export async function recoverContainers(ctx: EngineContext): Promise<void> {
  const live = new Set<string>();
  const toStart: ContainerRecord[] = [];
  for (const rec of ctx.containers.list()) {
    const wasLive = ['running', 'paused', 'restarting'].includes(rec.state.status);
    if (wasLive && rec.state.status !== 'restarting' && (await readopt(ctx, rec))) {
      live.add(rec.id);
      continue;
    }
    if (wasLive) await markExited(ctx, rec);
    if (restartsWithEngine(rec)) toStart.push(rec);
  }
  await ctx.network.reconcile(live).catch((e) => log.warn('network reconcile failed', { err: String(e) }));
  for (const rec of toStart) {
    await ctx.lock(rec.id, () => startContainer(ctx, rec)).catch((e) => log.warn('restart on engine start failed', { id: rec.id, err: String(e) }));
  }
}

async function readopt(ctx: EngineContext, rec: ContainerRecord): Promise<boolean> {
  try {
    const conn = await ShimConnection.connect(containerPaths(ctx, rec.id).shimSocket);
    ctx.shims.set(rec.id, conn);
    watchExit(ctx, rec.id, conn);
    log.info('re-adopted running container', { id: rec.id.slice(0, 12), name: rec.name });
    return true;
  } catch {
    return false;
  }
}

async function markExited(ctx: EngineContext, rec: ContainerRecord): Promise<void> {
  const exit = await readExitFile(containerPaths(ctx, rec.id).exitFile).catch(() => undefined);
  await releaseResources(ctx, rec);
  await ctx.runtime.delete(rec.id, true).catch(() => undefined);
  rec.state = {
    ...rec.state,
    status: 'exited',
    pid: 0,
    shimPid: 0,
    exitCode: exit?.exitCode ?? 255,
    oomKilled: exit?.oomKilled ?? false,
    finishedAt: exit?.finishedAt ?? new Date().toISOString(),
    error: exit ? '' : 'container was running when the engine stopped and its monitor is gone',
    endpoint: null,
    ports: [],
  };
  await ctx.containers.save(rec);
  ctx.events.emit('container', 'die', rec.id, { image: rec.spec.image, name: rec.name, exitCode: String(rec.state.exitCode) });
}

/** Docker restarts `always` containers on daemon start, and `unless-stopped` ones unless the user stopped them. */
function restartsWithEngine(rec: ContainerRecord): boolean {
  const p = rec.spec.host.restartPolicy.name;
  if (rec.state.status !== 'exited') return false;
  return p === 'always' || (p === 'unless-stopped' && !rec.state.stoppedByUser);
}
