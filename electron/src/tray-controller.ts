// Keeps the tray menu in step with the engine: it re-reads engine info and the running
// containers when the engine's event stream says something changed (never on a timer), and
// re-subscribes with backoff when the stream ends (engine restarting, VM booting).
import { setTimeout as sleep } from 'node:timers/promises';
import type { NativeImage, Tray } from 'electron';
import type { ApiImplementation, EngineEvent } from '../../protocol/src/index.ts';
import { buildTrayMenu, engineLabel, type TrayActions, type TrayState } from './tray-menu.ts';

export type TrayElectron = Pick<typeof import('electron'), 'Tray' | 'Menu'>;

export interface TrayControllerOptions {
  icon: string | NativeImage;
  service: Pick<ApiImplementation, 'engine.info' | 'engine.events' | 'containers.list'>;
  actions: TrayActions;
  /** First re-subscribe delay; doubles up to 30 s while the stream keeps failing. */
  retryMs?: number;
}

export interface TrayController {
  readonly tray: Tray;
  state(): TrayState;
  /** Re-reads the engine's state now (after an action of ours, say). */
  refresh(): Promise<void>;
  dispose(): void;
}

const CONTAINER_ACTIONS = new Set(['create', 'start', 'restart', 'die', 'stop', 'kill', 'pause', 'unpause', 'destroy', 'rename']);

/** Events that can change what the tray shows. */
export function changesTray(e: EngineEvent): boolean {
  return e.type === 'daemon' || (e.type === 'container' && CONTAINER_ACTIONS.has(e.action));
}

export function createTrayController(electron: TrayElectron, opts: TrayControllerOptions): TrayController {
  const { service, actions } = opts;
  const tray = new electron.Tray(opts.icon);
  let state: TrayState = { engine: undefined, containers: [] };
  let disposed = false;
  const subscription = new AbortController();

  const render = () => {
    if (disposed) return;
    tray.setToolTip(`Berth — ${engineLabel(state.engine).replace(/^Engine: /, 'engine ')}`);
    tray.setContextMenu(electron.Menu.buildFromTemplate(buildTrayMenu(state, actions)));
  };

  const read = async () => {
    const [engine, containers] = await Promise.allSettled([service['engine.info']({}), service['containers.list']({ all: false })]);
    state = {
      engine: engine.status === 'fulfilled' ? engine.value : undefined,
      containers: containers.status === 'fulfilled' ? containers.value : [],
    };
    render();
  };

  // One read at a time; events arriving during a read cause exactly one more.
  let inFlight: Promise<void> | undefined;
  let again = false;
  const refresh = (): Promise<void> => {
    if (inFlight) {
      again = true;
      return inFlight;
    }
    inFlight = (async () => {
      do {
        again = false;
        await read();
      } while (again && !disposed);
    })().finally(() => (inFlight = undefined));
    return inFlight;
  };

  const follow = async () => {
    const first = opts.retryMs ?? 1000;
    let delay = first;
    while (!disposed) {
      await service['engine.events']({}, (e) => {
        delay = first;
        if (changesTray(e)) void refresh();
      }, subscription.signal).catch(() => undefined);
      if (disposed) return;
      void refresh();
      await sleep(delay, undefined, { signal: subscription.signal }).catch(() => undefined);
      delay = Math.min(delay * 2, 30_000);
    }
  };

  render();
  void refresh();
  void follow();
  return {
    tray,
    state: () => state,
    refresh,
    dispose() {
      disposed = true;
      subscription.abort();
      tray.destroy();
    },
  };
}
