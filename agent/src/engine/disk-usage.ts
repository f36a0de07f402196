// What `docker system df` reports: image sizes (shared layers once), each container's writable
// layer, and volume sizes.
import { directorySize } from '../volume/directory-size.ts';
import type { EngineContext } from './context.ts';
import { containerPaths } from './container-paths.ts';
import { volumeUsers } from './container-remove.ts';

export async function diskUsage(ctx: EngineContext) {
  const du = ctx.images.diskUsage();
  const containers = await Promise.all(
    ctx.containers.list().map(async (rec) => ({
      rec,
      sizeRw: await directorySize(`${containerPaths(ctx, rec.id).dir}/upper`).catch(() => 0),
      sizeRootFs: ctx.images.tryGet(rec.imageId)?.size ?? 0,
    })),
  );
  const volumes = await Promise.all(
    ctx.volumes.list().map(async (vol) => ({ vol, size: await ctx.volumes.usage(vol.name).catch(() => 0), refs: volumeUsers(ctx, vol.name).length })),
  );
  return { layersSize: du.layersSize, sharedSize: new Map(du.images.map((i) => [i.id, i.sharedSize])), containers, volumes };
}
