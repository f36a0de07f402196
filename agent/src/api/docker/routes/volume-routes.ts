// Volume routes: create, list, inspect, remove, prune.
import type { Engine } from '../../../engine/engine.ts';
import type { Volume } from '../../../volume/volume-store.ts';
import { invalid } from '../../../errors.ts';
import type { Router } from '../router.ts';
import { bool, jsonBody, parseFilters, sendJson } from '../http-io.ts';
import { labelMatches } from '../mappers/container-filters.ts';

export function volumeJson(v: Volume, usage?: { size: number; refs: number }) {
  return {
    CreatedAt: v.createdAt,
    Driver: v.driver,
    Labels: v.labels,
    Mountpoint: v.mountpoint,
    Name: v.name,
    Options: v.options,
    Scope: v.scope,
    ...(usage ? { UsageData: { Size: usage.size, RefCount: usage.refs } } : {}),
  };
}

export function registerVolumeRoutes(r: Router, engine: Engine): void {
  const volumes = engine.ctx.volumes;
  const usedBy = (n: string) => engine.volumeUsers(n);

  r.on('GET', '/volumes', (c) => {
    const f = parseFilters(c.query);
    for (const k of f.keys()) if (!['dangling', 'name', 'label', 'driver'].includes(k)) throw invalid(`invalid filter '${k}'`);
    const list = volumes.list().filter((v) => {
      const d = f.get('dangling')?.[0];
      if (d !== undefined && (usedBy(v.name).length === 0) !== (d === 'true' || d === '1')) return false;
      if (f.has('name') && !f.get('name')!.some((n) => v.name.includes(n))) return false;
      if (f.has('driver') && !f.get('driver')!.includes(v.driver)) return false;
      return (f.get('label') ?? []).every((l) => labelMatches(v.labels, l));
    });
    sendJson(c, 200, { Volumes: list.map((v) => volumeJson(v)), Warnings: null });
  });

  r.on('POST', '/volumes/create', async (c) => {
    const b = await jsonBody<{ Name?: string; Driver?: string; DriverOpts?: Record<string, string>; Labels?: Record<string, string> }>(c, { optional: true });
    const v = await volumes.create({ name: b.Name || undefined, driver: b.Driver || 'local', options: b.DriverOpts ?? {}, labels: b.Labels ?? {} });
    sendJson(c, 201, volumeJson(v));
  });

  r.on('POST', '/volumes/prune', async (c) => {
    const f = parseFilters(c.query);
    const all = (f.get('all') ?? []).some((v) => v === 'true' || v === '1');
    const out = await volumes.prune({ all, usedBy });
    sendJson(c, 200, { VolumesDeleted: out.deleted.length ? out.deleted : null, SpaceReclaimed: out.spaceReclaimed });
  });

  r.on('GET', '/volumes/:name', (c) => sendJson(c, 200, volumeJson(volumes.get(c.params.name))));

  r.on('DELETE', '/volumes/:name', async (c) => {
    await volumes.remove(c.params.name, { force: bool(c.query, 'force'), usedBy });
    c.res!.writeHead(204);
    c.res!.end();
  });
}
