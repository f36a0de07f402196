// GET /system/df: the engine's disk usage in Docker's shape.
import type { Engine } from '../../../engine/engine.ts';
import { diskUsage } from '../../../engine/disk-usage.ts';
import { networkId } from '../../../engine/container-start.ts';
import { listJson } from './container-json.ts';
import { volumeJson } from '../routes/volume-routes.ts';

export async function systemDf(engine: Engine) {
  const ctx = engine.ctx;
  const du = await diskUsage(ctx);
  const images = ctx.images.list().map((i) => ({
    Id: i.id, ParentId: i.parent ?? '', RepoTags: i.repoTags, RepoDigests: i.repoDigests,
    Created: Math.floor(Date.parse(i.created) / 1000) || 0, Size: i.size, SharedSize: du.sharedSize.get(i.id) ?? 0,
    Labels: i.config.config?.Labels ?? null, Containers: engine.imageUsers(i.id).length,
  }));
  const net = { networkId: networkId(ctx), bridge: ctx.opts.bridge, runtime: ctx.runtime.name };
  return {
    LayersSize: du.layersSize,
    Images: images,
    Containers: du.containers.map((c) => ({ ...listJson(c.rec, net), SizeRw: c.sizeRw, SizeRootFs: c.sizeRootFs })),
    Volumes: du.volumes.map((v) => volumeJson(v.vol, { size: v.size, refs: v.refs })),
    BuildCache: [],
  };
}
