import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiImplementation, ContainerSummary, EngineEvent, EngineInfo } from '../../protocol/src/index.ts';
import { FakeMenu, FakeTray, findItem } from './electron-fakes.ts';
import { changesTray, createTrayController, type TrayController, type TrayElectron } from './tray-controller.ts';
import type { TrayActions } from './tray-menu.ts';

const settle = (ms = 5) => new Promise((r) => setTimeout(r, ms));
const info: EngineInfo = { mode: 'native', state: 'running', version: '0.1.0', apiVersion: '1.50', os: 'linux', kernel: '6', cpus: 2, memory: 1, containers: 1, running: 1, images: 0, socket: '/s' };
const summary = (name: string): ContainerSummary => ({ id: `id-${name}`, name, image: 'img', imageId: 'sha256:x', command: '', created: 0, state: 'running', status: 'Up', ports: [], labels: {} });
const event = (action: string, type: EngineEvent['type'] = 'container'): EngineEvent => ({ type, action, id: 'x', attributes: {}, time: 0 });
const actions: TrayActions = {
  restartEngine: () => undefined, openDashboard: () => undefined, stopContainer: () => undefined,
  restartContainer: () => undefined, openTerminal: () => undefined, quit: () => undefined,
};

/** An engine whose event stream the test drives, counting reads. */
function fakeEngine() {
  const state = { containers: [] as ContainerSummary[], reads: 0, subscriptions: 0, failInfo: false };
  let emit: ((e: EngineEvent) => void) | undefined;
  let endStream: ((err?: Error) => void) | undefined;
  const service: Pick<ApiImplementation, 'engine.info' | 'engine.events' | 'containers.list'> = {
    'engine.info': async () => {
      state.reads++;
      if (state.failInfo) throw new Error('engine down');
      return info;
    },
    'containers.list': async () => state.containers,
    'engine.events': (_p, e, signal) => new Promise<void>((resolve, reject) => {
      state.subscriptions++;
      emit = e;
      endStream = (err) => (err ? reject(err) : resolve());
      signal.addEventListener('abort', () => resolve());
    }),
  };
  return { state, service, emit: (e: EngineEvent) => emit!(e), end: (err?: Error) => endStream!(err) };
}

describe('tray controller', () => {
  let ctl: TrayController | undefined;
  beforeEach(() => void (FakeTray.created = []));
  afterEach(() => ctl?.dispose());
  const start = (service: ReturnType<typeof fakeEngine>['service']) =>
    (ctl = createTrayController({ Tray: FakeTray, Menu: FakeMenu } as unknown as TrayElectron, { icon: '/icons/tray.png', service, actions, retryMs: 20 }));

  it('shows the engine state and running containers once read', async () => {
    const engine = fakeEngine();
    engine.state.containers = [summary('web')];
    start(engine.service);
    const tray = FakeTray.created[0];
    expect(tray.icon).toBe('/icons/tray.png');
    expect(tray.menu[0].label).toBe('Engine: not reachable');
    await settle();
    expect(tray.menu[0].label).toMatch(/^Engine: running/);
    expect(findItem(tray.menu, 'web  (img)')).toBeDefined();
    expect(tray.tooltip).toMatch(/^Berth — engine running/);
  });

  it('re-reads only when an event can change the menu, never on a timer', async () => {
    const engine = fakeEngine();
    start(engine.service);
    await settle();
    const reads = engine.state.reads;
    await settle(80);
    expect(engine.state.reads).toBe(reads);

    engine.emit(event('exec_start'));
    engine.emit(event('create', 'image'));
    await settle();
    expect(engine.state.reads).toBe(reads);

    engine.state.containers = [summary('api')];
    engine.emit(event('start'));
    await settle();
    expect(engine.state.reads).toBe(reads + 1);
    expect(findItem(FakeTray.created[0].menu, 'api  (img)')).toBeDefined();
  });

  it('coalesces a burst of events into at most one more read', async () => {
    const engine = fakeEngine();
    start(engine.service);
    await settle();
    const reads = engine.state.reads;
    for (let i = 0; i < 20; i++) engine.emit(event(i % 2 ? 'start' : 'die'));
    await settle();
    expect(engine.state.reads - reads).toBeLessThanOrEqual(2);
    expect(engine.state.reads - reads).toBeGreaterThanOrEqual(1);
  });

  it('shows the engine as unreachable and re-subscribes when the stream fails', async () => {
    const engine = fakeEngine();
    start(engine.service);
    await settle();
    expect(engine.state.subscriptions).toBe(1);
    engine.state.failInfo = true;
    engine.end(new Error('connection reset'));
    await settle();
    expect(FakeTray.created[0].menu[0].label).toBe('Engine: not reachable');
    await settle(40);
    expect(engine.state.subscriptions).toBe(2);
    engine.state.failInfo = false;
    engine.emit(event('start', 'daemon'));
    await settle();
    expect(FakeTray.created[0].menu[0].label).toMatch(/^Engine: running/);
  });

  it('stops following and removes the icon on dispose', async () => {
    const engine = fakeEngine();
    const c = start(engine.service);
    await settle();
    c.dispose();
    ctl = undefined;
    await settle(60);
    expect(FakeTray.created[0].destroyed).toBe(true);
    expect(engine.state.subscriptions).toBe(1);
  });

  it('knows which events matter', () => {
    expect(changesTray(event('die'))).toBe(true);
    expect(changesTray(event('rename'))).toBe(true);
    expect(changesTray(event('exec_create'))).toBe(false);
    expect(changesTray(event('pull', 'image'))).toBe(false);
    expect(changesTray(event('anything', 'daemon'))).toBe(true);
  });
});
