// engine.*: what the engine is and how it is doing, its event stream, and restart (which only a
// VM-backed host can do: a native engine is someone else's process).
import type { EngineEvent, EngineInfo } from '../../../protocol/src/index.ts';
import type { EngineClient } from '../engine-client/engine-client.ts';
import type { DockerEvent, DockerInfo, DockerVersion } from '../engine-client/docker-types.ts';
import { readJsonLines } from '../engine-client/docker-streams.ts';
import { hostError } from '../engine-client/engine-api-error.ts';
import { OK, type ApiArea } from './api-area.ts';

export interface EngineControl {
  /** Restart the engine (the VM manager does this in vm mode). */
  restart(): Promise<void>;
}

const TYPES = new Set<string>(['container', 'image', 'volume', 'network', 'daemon']);

export function createEngineApi(engine: EngineClient, mode: 'native' | 'vm', control?: EngineControl): ApiArea<'engine'> {
  return {
    'engine.info': async () => {
      try {
        const [info, version] = await Promise.all([engine.json<DockerInfo>('GET', '/info'), engine.json<DockerVersion>('GET', '/version')]);
        return toEngineInfo(info, version, mode, engine.socket);
      } catch (e) {
        // An engine that is down is a state to show, not an error of this call.
        return { ...toEngineInfo({}, {}, mode, engine.socket), state: 'stopped', error: (e as Error).message };
      }
    },
    'engine.events': async (_p, emit, signal) => {
      const body = await engine.stream('GET', '/events', { signal });
      for await (const e of readJsonLines<DockerEvent>(body, signal)) {
        const ev = toEngineEvent(e);
        if (ev) emit(ev);
      }
    },
    'engine.restart': async () => {
      if (!control) {
        throw hostError('NotImplemented', mode === 'native'
          ? 'Restarting the engine is not supported in native mode: the engine is a separate process (`berth engine`); restart it (or its service) yourself.'
          : 'Restarting the engine is not available: no VM manager is attached to this host.');
      }
      await control.restart();
      return OK;
    },
  };
}

export function toEngineInfo(info: DockerInfo, version: DockerVersion, mode: 'native' | 'vm', socket: string): EngineInfo {
  return {
    mode,
    state: 'running',
    version: version.Version ?? info.ServerVersion ?? '',
    apiVersion: version.ApiVersion ?? '',
    os: info.OperatingSystem ?? '',
    kernel: info.KernelVersion ?? '',
    cpus: info.NCPU ?? 0,
    memory: info.MemTotal ?? 0,
    containers: info.Containers ?? 0,
    running: info.ContainersRunning ?? 0,
    images: info.Images ?? 0,
    socket,
  };
}

/** Docker's event → the UI's; kinds the UI does not follow (plugin, service…) give undefined. */
export function toEngineEvent(e: DockerEvent): EngineEvent | undefined {
  const type = e.Type ?? 'container';
  if (!TYPES.has(type)) return undefined;
  return {
    type: type as EngineEvent['type'],
    action: e.Action ?? e.status ?? '',
    id: e.Actor?.ID ?? e.id ?? '',
    attributes: e.Actor?.Attributes ?? {},
    time: e.timeNano ? Math.floor(e.timeNano / 1e6) : (e.time ?? 0) * 1000,
  };
}
