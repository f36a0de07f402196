// Runs web mode until SIGINT/SIGTERM: settings from BERTH_HOME, the API service on an engine
// socket, the UI server on 127.0.0.1, and the URL (with its token) printed for the user.
import path from 'node:path';
import { createBerthService } from '../api/berth-service.ts';
import type { EngineControl } from '../api/engine-api.ts';
import type { LogFiles } from '../api/settings-api.ts';
import { EngineClient } from '../engine-client/engine-client.ts';
import { berthHome } from '../settings/berth-home.ts';
import { hostLimits } from '../settings/host-limits.ts';
import { SettingsStore } from '../settings/settings-store.ts';
import { startUiServer } from '../ui-server/ui-server.ts';
import { distPaths } from './dist-paths.ts';

export interface WebModeOptions {
  socket: string;
  port?: number;
  mode: 'native' | 'vm';
  logs?: LogFiles;
  /** Set when this process owns the engine: it can restart it and manage its daemon.json. */
  control?: EngineControl;
  engineConfigFile?: string;
}

// Kept here too for callers that imported them from web mode (electron/src/host-service.ts).
export { DEFAULT_SOCKET, engineSocket } from '../engine-client/engine-socket.ts';

export async function runWebMode(o: WebModeOptions, until: Promise<unknown> = stopSignal()): Promise<void> {
  const home = berthHome();
  const settings = await SettingsStore.open(path.join(home, 'settings.json'), hostLimits(home));
  const service = createBerthService({ socket: o.socket, settings, mode: o.mode, logs: o.logs, control: o.control, engineConfigFile: o.engineConfigFile });
  const ui = await startUiServer({ service, rendererDir: distPaths.renderer, bootstrapFile: distPaths.bootstrap, port: o.port });
  const up = await new EngineClient(o.socket).ping();
  process.stdout.write(
    `Berth web UI: ${ui.url}\n` +
      `Engine:       unix://${o.socket} (${o.mode}${up ? '' : ', not answering yet'})\n` +
      `Settings:     ${settings.file}\n` +
      `Press Ctrl-C to stop.\n`,
  );
  await until;
  service.dispose();
  await ui.close();
}

export function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}
