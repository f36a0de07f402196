// docker rm: refuse a running container unless forced; otherwise kill it, release everything it
// holds, remove anonymous volumes when asked (-v, or --rm), and delete its directory.
import { conflict } from '../errors.ts';
import type { EngineContext } from './context.ts';
import type { ContainerRecord } from './types.ts';
import { releaseResources, notifyWaiters } from './container-exit.ts';

export async function removeContainer(
  ctx: EngineContext,
  rec: ContainerRecord,
  opts: { force?: boolean; removeVolumes: boolean; locked?: boolean },
): Promise<void> {
  const live = rec.state.status === 'running' || rec.state.status === 'paused' || rec.state.status === 'restarting';
  if (live && !opts.force) {
    throw conflict(`cannot remove container "/${rec.name}": container is running: stop the container before removing or force remove`);
  }
  const work = async () => {
    const cur = ctx.containers.tryGet(rec.id);
    if (!cur) return;
    if (cur.state.status === 'running' || cur.state.status === 'paused') {
      cur.state.stoppedByUser = true;
      if (cur.state.status === 'paused') await ctx.runtime.resume(cur.id).catch(() => undefined);
      await ctx.runtime.kill(cur.id, 'SIGKILL').catch(() => undefined);
      await ctx.shims.get(cur.id)?.exited.catch(() => undefined);
      await ctx.runtime.delete(cur.id, true).catch(() => undefined);
    }
    await releaseResources(ctx, cur);
    cur.state.status = 'removing';
    await ctx.containers.remove(cur.id);
    if (opts.removeVolumes) {
      for (const m of cur.mounts) {
        if (m.type === 'volume' && m.anonymous) {
          await ctx.volumes.remove(m.source, { force: false, usedBy: (n) => volumeUsers(ctx, n) }).catch(() => undefined);
        }
      }
    }
    notifyWaiters(ctx, cur.id, cur.state.exitCode);
    ctx.events.emit('container', 'destroy', cur.id, { image: cur.spec.image, name: cur.name, ...cur.spec.labels });
  };
  await (opts.locked ? work() : ctx.lock(rec.id, work));
}

export function volumeUsers(ctx: EngineContext, name: string): string[] {
  return ctx.containers
    .list()
    .filter((c) => c.mounts.some((m) => m.type === 'volume' && m.source === name))
    .map((c) => c.id);
}
