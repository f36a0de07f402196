// volumes.*: list with size (from /system/df) and the containers using each, create, remove, prune.
import type { VolumeSummary } from '../../../protocol/src/index.ts';
import type { EngineClient } from '../engine-client/engine-client.ts';
import type { DockerContainer, DockerVolume } from '../engine-client/docker-types.ts';
import { OK, type ApiArea } from './api-area.ts';

export function createVolumeApi(engine: EngineClient): ApiArea<'volumes'> {
  return {
    'volumes.list': async () => {
      const [list, df, containers] = await Promise.all([
        engine.json<{ Volumes: DockerVolume[] | null }>('GET', '/volumes'),
        engine.json<{ Volumes?: DockerVolume[] | null }>('GET', '/system/df'),
        engine.json<DockerContainer[]>('GET', '/containers/json', { query: { all: true } }),
      ]);
      const sizes = new Map((df.Volumes ?? []).map((v) => [v.Name, v.UsageData?.Size ?? 0]));
      return (list.Volumes ?? []).map((v) => toVolumeSummary(v, sizes.get(v.Name) ?? 0, usersOf(v.Name, containers)));
    },
    'volumes.create': async ({ name }) => {
      const v = await engine.json<DockerVolume>('POST', '/volumes/create', { body: name ? { Name: name } : {} });
      return toVolumeSummary(v, 0, []);
    },
    'volumes.remove': async ({ name, force }) => {
      await engine.json('DELETE', `/volumes/${encodeURIComponent(name)}`, { query: { force } });
      return OK;
    },
    // As `docker volume prune` without -a: unused anonymous volumes; named ones are the user's data.
    'volumes.prune': async () => {
      const r = await engine.json<{ SpaceReclaimed?: number }>('POST', '/volumes/prune');
      return { reclaimed: r?.SpaceReclaimed ?? 0 };
    },
  };
}

export function usersOf(volume: string, containers: DockerContainer[]): string[] {
  return containers
    .filter((c) => (c.Mounts ?? []).some((m) => m.Type === 'volume' && m.Name === volume))
    .map((c) => (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, ''))
    .sort();
}

export function toVolumeSummary(v: DockerVolume, size: number, usedBy: string[]): VolumeSummary {
  return {
    name: v.Name,
    driver: v.Driver,
    mountpoint: v.Mountpoint,
    created: v.CreatedAt ?? '',
    labels: v.Labels ?? {},
    size: Math.max(0, size),
    usedBy,
  };
}
