// containers.*: list, inspect, lifecycle, run (create + start), logs and stats streams.
import type { EngineClient } from '../engine-client/engine-client.ts';
import type { DockerContainer, DockerStats } from '../engine-client/docker-types.ts';
import { readFrames, readJsonLines } from '../engine-client/docker-streams.ts';
import { OK, type ApiArea } from './api-area.ts';
import { toContainerSummary, toCreateBody } from './container-mappers.ts';
import { LogLineSplitter } from './log-lines.ts';
import { toStatsSample } from './stats-sample.ts';

const enc = encodeURIComponent;

export function createContainerApi(engine: EngineClient): ApiArea<'containers'> {
  const action = (verb: string) => async ({ id }: { id: string }) => {
    // 304 (already in that state) is success for the UI, as it is for the CLI.
    await engine.json('POST', `/containers/${enc(id)}/${verb}`);
    return OK;
  };
  return {
    'containers.list': async ({ all }) => {
      const list = await engine.json<DockerContainer[]>('GET', '/containers/json', { query: { all } });
      return list.map(toContainerSummary);
    },
    'containers.inspect': async ({ id }) => engine.json<Record<string, unknown>>('GET', `/containers/${enc(id)}/json`),
    'containers.start': action('start'),
    'containers.stop': action('stop'),
    'containers.restart': action('restart'),
    'containers.pause': action('pause'),
    'containers.unpause': action('unpause'),
    'containers.remove': async ({ id, force }) => {
      await engine.json('DELETE', `/containers/${enc(id)}`, { query: { force } });
      return OK;
    },
    'containers.run': async (req) => {
      const created = await engine.json<{ Id: string }>('POST', '/containers/create', { query: { name: req.name || undefined }, body: toCreateBody(req) });
      // Like `docker run`, a container whose start fails stays (created) so its error can be read.
      await engine.json('POST', `/containers/${enc(created.Id)}/start`);
      return { id: created.Id };
    },
    'containers.logs': async ({ id, follow, tail }, emit, signal) => {
      const info = await engine.json<{ Config?: { Tty?: boolean } }>('GET', `/containers/${enc(id)}/json`);
      const body = await engine.stream('GET', `/containers/${enc(id)}/logs`, {
        query: { stdout: true, stderr: true, timestamps: true, follow, tail: tail ?? 'all' },
        signal,
      });
      const lines = new LogLineSplitter();
      for await (const frame of readFrames(body, info.Config?.Tty === true, signal)) lines.push(frame).forEach(emit);
      lines.flush().forEach(emit);
    },
    'containers.stats': async ({ id }, emit, signal) => {
      const body = await engine.stream('GET', `/containers/${enc(id)}/stats`, { query: { stream: true }, signal });
      for await (const s of readJsonLines<DockerStats>(body, signal)) emit(toStatsSample(s));
    },
  };
}
