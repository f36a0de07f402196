// What the tray (menu-bar) icon's menu shows, as a pure function of the engine's state: engine
// status with start/stop/restart, the dashboard, running containers with their actions, quit.
import type { MenuItemConstructorOptions } from 'electron';
import type { ContainerSummary, EngineInfo } from '../../protocol/src/index.ts';

export interface TrayState {
  /** undefined: the engine could not be asked (host service down or not started). */
  engine: EngineInfo | undefined;
  containers: ContainerSummary[];
}

export interface TrayActions {
  /** Absent when the host can't start/stop the engine on its own (the item is then disabled). */
  startEngine?: () => void;
  stopEngine?: () => void;
  restartEngine: () => void;
  openDashboard: () => void;
  stopContainer: (id: string) => void;
  restartContainer: (id: string) => void;
  openTerminal: (id: string) => void;
  quit: () => void;
}

/** More than this and the submenu ends with "Show all in Dashboard…". */
export const TRAY_CONTAINER_LIMIT = 15;

// On Windows and Linux a single '&' in a label marks a mnemonic; names are data, not mnemonics.
const text = (s: string) => s.replace(/&/g, '&&');

export function engineLabel(engine: EngineInfo | undefined): string {
  if (!engine) return 'Engine: not reachable';
  const mode = engine.mode === 'vm' ? 'VM' : 'native';
  if (engine.state === 'error') return text(`Engine: error${engine.error ? ` — ${engine.error}` : ''}`);
  if (engine.state === 'running') return text(`Engine: running (${mode}, ${engine.running} of ${engine.containers} containers up)`);
  return `Engine: ${engine.state} (${mode})`;
}

function containerItem(c: ContainerSummary, actions: TrayActions): MenuItemConstructorOptions {
  const ports = c.ports.filter((p) => p.hostPort > 0).map((p) => `${p.hostPort}→${p.containerPort}`);
  return {
    label: text(`${c.name}  (${c.image})`),
    sublabel: ports.length ? ports.join(', ') : undefined,
    submenu: [
      { label: 'Stop', click: () => actions.stopContainer(c.id) },
      { label: 'Restart', click: () => actions.restartContainer(c.id) },
      { label: 'Open terminal', click: () => actions.openTerminal(c.id) },
    ],
  };
}

function containersSubmenu(containers: ContainerSummary[], actions: TrayActions): MenuItemConstructorOptions[] {
  const running = containers.filter((c) => c.state === 'running').sort((a, b) => a.name.localeCompare(b.name));
  if (running.length === 0) return [{ label: 'No running containers', enabled: false }];
  const items = running.slice(0, TRAY_CONTAINER_LIMIT).map((c) => containerItem(c, actions));
  if (running.length > TRAY_CONTAINER_LIMIT) {
    items.push({ type: 'separator' }, { label: `Show all ${running.length} in Dashboard…`, click: () => actions.openDashboard() });
  }
  return items;
}

export function buildTrayMenu(state: TrayState, actions: TrayActions): MenuItemConstructorOptions[] {
  const s = state.engine?.state;
  const running = s === 'running';
  const stopped = s === 'stopped' || s === 'error' || s === undefined;
  const containers = running ? state.containers : [];
  const upCount = containers.filter((c) => c.state === 'running').length;
  return [
    { id: 'engine-state', label: engineLabel(state.engine), enabled: false },
    { id: 'engine-start', label: 'Start Engine', enabled: stopped && !!actions.startEngine, click: () => actions.startEngine?.() },
    { id: 'engine-stop', label: 'Stop Engine', enabled: running && !!actions.stopEngine, click: () => actions.stopEngine?.() },
    { id: 'engine-restart', label: 'Restart Engine', enabled: s !== undefined && s !== 'starting', click: () => actions.restartEngine() },
    { type: 'separator' },
    { id: 'dashboard', label: 'Open Dashboard', click: () => actions.openDashboard() },
    { type: 'separator' },
    { id: 'containers', label: `Running containers (${upCount})`, enabled: running, submenu: containersSubmenu(containers, actions) },
    { type: 'separator' },
    { id: 'quit', label: 'Quit Berth', click: () => actions.quit() },
  ];
}
