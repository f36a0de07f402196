// The implementation of the whole UI API against one engine socket: each area in its own file,
// joined here. Electron's IPC and the web mode's WebSocket both serve this object.
import type { ApiImplementation } from '../../../protocol/src/index.ts';
import { EngineClient } from '../engine-client/engine-client.ts';
import type { SettingsStore } from '../settings/settings-store.ts';
import { createContainerApi } from './container-api.ts';
import { createEngineApi, type EngineControl } from './engine-api.ts';
import { createImageApi } from './image-api.ts';
import { createSettingsApi, createTroubleshootApi, type LogFiles } from './settings-api.ts';
import { TerminalSessions } from './terminal-sessions.ts';
import { createVolumeApi } from './volume-api.ts';

export interface BerthServiceOptions {
  /** The engine's Docker API unix socket. */
  socket: string;
  settings: SettingsStore;
  mode: 'native' | 'vm';
  /** Log files the troubleshoot view may show, when this host started the engine or VM. */
  logs?: LogFiles;
  /** Restart hook (the VM manager); without it engine.restart answers NotImplemented. */
  control?: EngineControl;
  /** The engine's daemon.json, when this host manages it: registry settings are written there. */
  engineConfigFile?: string;
}

export type BerthService = ApiImplementation & {
  /** Ends the terminal sessions this service owns. */
  dispose(): void;
};

export function createBerthService(opts: BerthServiceOptions): BerthService {
  const engine = new EngineClient(opts.socket);
  const terminals = new TerminalSessions(engine);
  const impl: ApiImplementation = {
    ...createEngineApi(engine, opts.mode, opts.control),
    ...createContainerApi(engine),
    ...createImageApi(engine),
    ...createVolumeApi(engine),
    ...terminals.api(),
    ...createSettingsApi(opts.settings, opts.mode, opts.engineConfigFile),
    ...createTroubleshootApi(opts.settings, opts.mode, opts.logs),
  };
  return { ...impl, dispose: () => terminals.closeAll() };
}
