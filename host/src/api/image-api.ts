// images.*: list, layer history, pull with per-layer progress, tag, remove, prune.
import type { ImageLayer, ImageSummary, PullProgress } from '../../../protocol/src/index.ts';
import type { EngineClient } from '../engine-client/engine-client.ts';
import type { DockerContainer, DockerHistoryItem, DockerImage, DockerPullLine } from '../engine-client/docker-types.ts';
import { readJsonLines } from '../engine-client/docker-streams.ts';
import { EngineApiError } from '../engine-client/engine-api-error.ts';
import { OK, type ApiArea } from './api-area.ts';
import { parseImageReference } from './image-reference.ts';

const enc = encodeURIComponent;

export function createImageApi(engine: EngineClient): ApiArea<'images'> {
  return {
    'images.list': async () => {
      const [images, containers] = await Promise.all([
        engine.json<DockerImage[]>('GET', '/images/json'),
        engine.json<DockerContainer[]>('GET', '/containers/json', { query: { all: true } }),
      ]);
      const users = new Map<string, number>();
      for (const c of containers) users.set(c.ImageID, (users.get(c.ImageID) ?? 0) + 1);
      return images.map((i) => toImageSummary(i, users.get(i.Id) ?? 0));
    },
    'images.history': async ({ id }) => {
      const items = await engine.json<DockerHistoryItem[]>('GET', `/images/${enc(id)}/history`);
      return items.map(toImageLayer);
    },
    'images.pull': async ({ ref }, emit, signal) => {
      const { repo, tag } = parseImageReference(ref);
      const body = await engine.stream('POST', '/images/create', { query: { fromImage: repo, tag }, signal });
      for await (const line of readJsonLines<DockerPullLine>(body, signal)) {
        const p = toPullProgress(line);
        emit(p);
        // The engine reports a failed pull inside a 200 stream; the UI sees it as the stream's error.
        if (p.error) throw new EngineApiError(p.error, 500, 'Internal');
      }
    },
    'images.tag': async ({ id, ref }) => {
      const { repo, tag } = parseImageReference(ref);
      await engine.json('POST', `/images/${enc(id)}/tag`, { query: { repo, tag } });
      return OK;
    },
    'images.remove': async ({ id, force }) => {
      await engine.json('DELETE', `/images/${enc(id)}`, { query: { force } });
      return OK;
    },
    'images.prune': async ({ all }) => {
      const filters = JSON.stringify({ dangling: [all ? 'false' : 'true'] });
      const r = await engine.json<{ SpaceReclaimed?: number }>('POST', '/images/prune', { query: { filters } });
      return { reclaimed: r?.SpaceReclaimed ?? 0 };
    },
  };
}

export function toImageSummary(i: DockerImage, containers: number): ImageSummary {
  return {
    id: i.Id,
    tags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
    digests: (i.RepoDigests ?? []).filter((d) => d !== '<none>@<none>'),
    created: i.Created * 1000,
    size: i.Size,
    containers,
  };
}

export function toImageLayer(h: DockerHistoryItem): ImageLayer {
  return { id: h.Id, createdBy: h.CreatedBy ?? '', created: h.Created * 1000, size: h.Size, comment: h.Comment ?? '' };
}

export function toPullProgress(l: DockerPullLine): PullProgress {
  const error = l.error ?? l.errorDetail?.message;
  return {
    ...(l.id ? { id: l.id } : {}),
    status: l.status ?? (error ? 'Error' : ''),
    ...(l.progressDetail?.current !== undefined ? { current: l.progressDetail.current } : {}),
    ...(l.progressDetail?.total !== undefined ? { total: l.progressDetail.total } : {}),
    ...(error ? { error } : {}),
  };
}
