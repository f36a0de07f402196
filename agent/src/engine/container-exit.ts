// What happens when a container's process ends: release what start made (rootfs mount, network,
// cgroup), record the exit, wake waiters, then apply the restart policy or --rm.
import { log } from '../log.ts';
import { unmount } from '../sys/mount.ts';
import { removeCgroup } from '../cgroups/cgroup-cleanup.ts';
import type { ExitStatus, ShimConnection } from '../runtime/shim-client.ts';
import type { EngineContext } from './context.ts';
import type { ContainerRecord } from './types.ts';
import { containerPaths } from './container-paths.ts';
import { cgroupsPath, networkId, startContainer } from './container-start.ts';
import { removeContainer } from './container-remove.ts';

const backoff = new Map<string, number>();

export function watchExit(ctx: EngineContext, id: string, conn: ShimConnection): void {
  void conn.exited
    .then((status) => ctx.lock(id, () => handleExit(ctx, id, status)))
    .catch((e) => log.error('exit handling failed', { id, err: String(e) }));
}

/** Release what a running container held. Safe to call twice; used by recovery too. */
export async function releaseResources(ctx: EngineContext, rec: ContainerRecord): Promise<void> {
  ctx.shims.get(rec.id)?.close();
  ctx.shims.delete(rec.id);
  await unmount(containerPaths(ctx, rec.id).rootfs, { lazy: true }).catch((e) => log.warn('unmount failed', { id: rec.id, err: String(e) }));
  if (rec.spec.host.networkMode === 'bridge' && rec.state.endpoint) {
    await ctx.network.detach(rec.id).catch((e) => log.warn('network detach failed', { id: rec.id, err: String(e) }));
    ctx.events.emit('network', 'disconnect', networkId(ctx), { container: rec.id, name: 'bridge', type: 'bridge' });
  }
  await removeCgroup(cgroupsPath(rec.id), ctx.cgroups).catch(() => undefined);
  for (const m of rec.mounts) {
    if (m.type === 'volume') ctx.events.emit('volume', 'unmount', m.source, { container: rec.id, driver: 'local' });
  }
}

async function handleExit(ctx: EngineContext, id: string, status: ExitStatus): Promise<void> {
  const rec = ctx.containers.tryGet(id);
  if (!rec || (rec.state.status !== 'running' && rec.state.status !== 'paused')) return;
  const ranMs = Date.now() - Date.parse(rec.state.startedAt);
  await releaseResources(ctx, rec);
  rec.state = {
    ...rec.state,
    status: 'exited',
    pid: 0,
    shimPid: 0,
    exitCode: status.exitCode,
    oomKilled: status.oomKilled,
    finishedAt: status.finishedAt,
    endpoint: null,
    ports: [],
  };
  const attrs = { image: rec.spec.image, name: rec.name, ...rec.spec.labels };
  if (status.oomKilled) ctx.events.emit('container', 'oom', id, attrs);
  ctx.events.emit('container', 'die', id, { ...attrs, exitCode: String(status.exitCode) });
  const restart = shouldRestart(rec);
  if (restart) rec.state.status = 'restarting';
  await ctx.containers.save(rec);
  notifyWaiters(ctx, id, status.exitCode);
  if (restart) scheduleRestart(ctx, rec, ranMs);
  else if (rec.spec.host.autoRemove) await removeContainer(ctx, rec, { removeVolumes: true, locked: true });
}

export function notifyWaiters(ctx: EngineContext, id: string, code: number): void {
  for (const w of ctx.waiters.get(id) ?? []) w(code);
  ctx.waiters.delete(id);
}

function shouldRestart(rec: ContainerRecord): boolean {
  const { name, maximumRetryCount } = rec.spec.host.restartPolicy;
  if (rec.state.stoppedByUser) return false;
  switch (name) {
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure':
      return rec.state.exitCode !== 0 && (maximumRetryCount === 0 || rec.state.restartCount < maximumRetryCount);
    default:
      return false;
  }
}

/** Docker's backoff: 100 ms doubling per quick failure, reset after a run of 10 s or more. */
function scheduleRestart(ctx: EngineContext, rec: ContainerRecord, ranMs: number): void {
  const prev = ranMs >= 10_000 ? 0 : (backoff.get(rec.id) ?? 0);
  const delay = Math.min(prev ? prev * 2 : 100, 60_000);
  backoff.set(rec.id, delay);
  setTimeout(() => {
    void ctx.lock(rec.id, async () => {
      const cur = ctx.containers.tryGet(rec.id);
      if (!cur || cur.state.status !== 'restarting') return;
      cur.state.restartCount++;
      try {
        await startContainer(ctx, cur);
        ctx.events.emit('container', 'restart', cur.id, { image: cur.spec.image, name: cur.name });
      } catch (e) {
        cur.state = { ...cur.state, status: 'exited', error: String((e as Error).message) };
        await ctx.containers.save(cur);
        log.warn('restart failed', { id: cur.id, err: String(e) });
      }
    });
  }, delay).unref();
}
