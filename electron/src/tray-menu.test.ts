import { describe, expect, it } from 'vitest';
import type { ContainerSummary, EngineInfo } from '../../protocol/src/index.ts';
import { click, findItem } from './electron-fakes.ts';
import { buildTrayMenu, TRAY_CONTAINER_LIMIT, type TrayActions } from './tray-menu.ts';

const engine = (over: Partial<EngineInfo> = {}): EngineInfo => ({
  mode: 'vm', state: 'running', version: '0.1.0', apiVersion: '1.50', os: 'linux', kernel: '6.1', cpus: 2, memory: 2e9,
  containers: 3, running: 2, images: 4, socket: '/s', ...over,
});
const container = (name: string, over: Partial<ContainerSummary> = {}): ContainerSummary => ({
  id: `id-${name}`, name, image: 'web:1', imageId: 'sha256:x', command: 'sh', created: 0, state: 'running', status: 'Up',
  ports: [], labels: {}, ...over,
});

function recorder(withLifecycle = true) {
  const log: string[] = [];
  const actions: TrayActions = {
    ...(withLifecycle ? { startEngine: () => log.push('start'), stopEngine: () => log.push('stop') } : {}),
    restartEngine: () => log.push('restart'),
    openDashboard: () => log.push('dashboard'),
    stopContainer: (id) => log.push(`stop ${id}`),
    restartContainer: (id) => log.push(`restart ${id}`),
    openTerminal: (id) => log.push(`terminal ${id}`),
    quit: () => log.push('quit'),
  };
  return { log, actions };
}

describe('tray menu', () => {
  it('shows a running engine and its running containers with their actions', () => {
    const { log, actions } = recorder();
    const menu = buildTrayMenu({
      engine: engine(),
      containers: [container('web', { ports: [{ hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, proto: 'tcp' }] }), container('db'), container('old', { state: 'exited' })],
    }, actions);
    expect(menu[0]).toMatchObject({ label: 'Engine: running (VM, 2 of 3 containers up)', enabled: false });
    expect(findItem(menu, 'Start Engine')?.enabled).toBe(false);
    expect(findItem(menu, 'Stop Engine')?.enabled).toBe(true);
    expect(findItem(menu, 'Restart Engine')?.enabled).toBe(true);
    const sub = findItem(menu, 'Running containers (2)');
    expect(sub?.enabled).toBe(true);
    expect((sub?.submenu as Array<{ label: string }>).map((i) => i.label)).toEqual(['db  (web:1)', 'web  (web:1)']);
    expect(findItem(menu, 'web  (web:1)')?.sublabel).toBe('8080→80');

    const web = findItem(menu, 'web  (web:1)')!.submenu as never;
    click(findItem(web, 'Stop'));
    click(findItem(web, 'Restart'));
    click(findItem(web, 'Open terminal'));
    click(findItem(menu, 'Stop Engine'));
    click(findItem(menu, 'Restart Engine'));
    click(findItem(menu, 'Open Dashboard'));
    click(findItem(menu, 'Quit Berth'));
    expect(log).toEqual(['stop id-web', 'restart id-web', 'terminal id-web', 'stop', 'restart', 'dashboard', 'quit']);
  });

  it('offers Start for a stopped engine, with no container list', () => {
    const { log, actions } = recorder();
    const menu = buildTrayMenu({ engine: engine({ state: 'stopped' }), containers: [container('web')] }, actions);
    expect(menu[0].label).toBe('Engine: stopped (VM)');
    expect(findItem(menu, 'Start Engine')?.enabled).toBe(true);
    expect(findItem(menu, 'Stop Engine')?.enabled).toBe(false);
    expect(findItem(menu, 'Running containers (0)')?.enabled).toBe(false);
    click(findItem(menu, 'Start Engine'));
    expect(log).toEqual(['start']);
  });

  it('says when the engine is unreachable or failed, and disables what the host cannot do', () => {
    const { actions } = recorder(false);
    const down = buildTrayMenu({ engine: undefined, containers: [] }, actions);
    expect(down[0].label).toBe('Engine: not reachable');
    expect(findItem(down, 'Start Engine')?.enabled).toBe(false);
    expect(findItem(down, 'Restart Engine')?.enabled).toBe(false);
    expect(findItem(down, 'Open Dashboard')?.enabled).not.toBe(false);
    expect(findItem(down, 'No running containers')?.enabled).toBe(false);
    const failed = buildTrayMenu({ engine: engine({ state: 'error', error: 'QEMU exited: no KVM & no TCG' }), containers: [] }, actions);
    expect(failed[0].label).toBe('Engine: error — QEMU exited: no KVM && no TCG');
    expect(findItem(failed, 'Restart Engine')?.enabled).toBe(true);
  });

  it('caps a long container list and points to the dashboard', () => {
    const { log, actions } = recorder();
    const many = Array.from({ length: TRAY_CONTAINER_LIMIT + 5 }, (_, i) => container(`c${String(i).padStart(2, '0')}`));
    const menu = buildTrayMenu({ engine: engine(), containers: many }, actions);
    const sub = findItem(menu, `Running containers (${many.length})`)!.submenu as Array<{ label?: string }>;
    expect(sub.filter((i) => i.label?.startsWith('c'))).toHaveLength(TRAY_CONTAINER_LIMIT);
    click(findItem(menu, `Show all ${many.length} in Dashboard…`));
    expect(log).toEqual(['dashboard']);
  });

  it('escapes & in container names so they are not read as mnemonics', () => {
    const { actions } = recorder();
    const menu = buildTrayMenu({ engine: engine(), containers: [container('R&D', { image: 'a&b' })] }, actions);
    expect(findItem(menu, 'R&&D  (a&&b)')).toBeDefined();
  });
});
