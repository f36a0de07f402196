import { describe, expect, it } from 'vitest';
import { toEngineEvent } from './engine-api.ts';
import { toPullProgress } from './image-api.ts';
import { parseImageReference } from './image-reference.ts';
import { engineSocket } from '../engine-client/engine-socket.ts';
import { EngineApiError } from '../engine-client/engine-api-error.ts';
import { errorBody } from '../../../protocol/src/index.ts';

describe('engine mappers', () => {
  it('maps Docker events, in ms, and drops kinds the UI does not follow', () => {
    expect(toEngineEvent({ Type: 'container', Action: 'start', Actor: { ID: 'abc', Attributes: { name: 'web' } }, time: 10, timeNano: 10_500_000_000 }))
      .toEqual({ type: 'container', action: 'start', id: 'abc', attributes: { name: 'web' }, time: 10_500 });
    expect(toEngineEvent({ status: 'die', id: 'x', time: 2 })).toEqual({ type: 'container', action: 'die', id: 'x', attributes: {}, time: 2000 });
    expect(toEngineEvent({ Type: 'plugin', Action: 'enable' })).toBeUndefined();
  });

  it('maps pull progress lines, including errors', () => {
    expect(toPullProgress({ id: 'l1', status: 'Downloading', progressDetail: { current: 5, total: 10 } })).toEqual({ id: 'l1', status: 'Downloading', current: 5, total: 10 });
    expect(toPullProgress({ status: 'Digest: sha256:1', progressDetail: {} })).toEqual({ status: 'Digest: sha256:1' });
    expect(toPullProgress({ errorDetail: { message: 'manifest unknown' }, error: 'manifest unknown' })).toEqual({ status: 'Error', error: 'manifest unknown' });
  });

  it('splits image references without mistaking a registry port for a tag', () => {
    expect(parseImageReference('busybox')).toEqual({ repo: 'busybox', tag: 'latest' });
    expect(parseImageReference('localhost:5000/a/b')).toEqual({ repo: 'localhost:5000/a/b', tag: 'latest' });
    expect(parseImageReference('localhost:5000/a/b:v1')).toEqual({ repo: 'localhost:5000/a/b', tag: 'v1' });
    expect(parseImageReference('a@sha256:00')).toEqual({ repo: 'a', tag: 'sha256:00' });
  });

  it('picks the engine socket from the flag, DOCKER_HOST, or the default', () => {
    expect(engineSocket('unix:///x/d.sock', {})).toBe('/x/d.sock');
    expect(engineSocket(undefined, { DOCKER_HOST: 'unix:///y.sock' })).toBe('/y.sock');
    expect(engineSocket(undefined, { DOCKER_HOST: 'tcp://1.2.3.4:2375' })).toBe('/run/berth/docker.sock');
  });

  it("carries the engine's message and kind through the dispatcher's errorBody", () => {
    const e = EngineApiError.fromResponse(409, '{"message":"conflict: name in use"}');
    expect(errorBody(e)).toEqual({ message: 'conflict: name in use', kind: 'Conflict' });
    expect(errorBody(EngineApiError.fromResponse(502, 'bad gateway'))).toEqual({ message: 'bad gateway', kind: 'Internal' });
  });
});
