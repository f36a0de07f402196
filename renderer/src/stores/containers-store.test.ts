import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setApi } from '../berth-api.ts';
import { fakeApi, type FakeApi } from '../test/fake-api.ts';
import { container, event } from '../test/fixtures.ts';
import { useContainers } from './containers-store.ts';
import { useNotices } from './notices-store.ts';

describe('containers store', () => {
  let fake: FakeApi;
  let engine = [container('web'), container('db', { state: 'exited' })];
  const listCalls = () => fake.calls.filter((c) => c.method === 'containers.list').length;

  beforeEach(async () => {
    fake = fakeApi();
    engine = [container('web'), container('db', { state: 'exited' })];
    fake.on('containers.list', () => engine);
    setApi(fake.api);
    useContainers.setState({ byId: {}, loaded: false, busy: {} });
    await useContainers.getState().load();
  });
  afterEach(() => setApi(undefined));

  it('loads the list', () => {
    expect(Object.values(useContainers.getState().byId).map((c) => c.name).sort()).toEqual(['db', 'web']);
    expect(useContainers.getState().loaded).toBe(true);
  });

  it('applies a burst of events as one refetch that patches only those rows', async () => {
    const before = useContainers.getState().byId;
    const created = container('api');
    engine = [...engine, created];
    const apply = useContainers.getState().applyEvent;
    apply(event('container', 'create', created.id));
    apply(event('container', 'start', created.id));
    apply(event('container', 'exec_create', created.id));
    await useContainers.getState().settled();
    const after = useContainers.getState().byId;
    expect(listCalls()).toBe(2);
    expect(after[created.id].name).toBe('api');
    // Untouched rows keep their identity, so their React rows don't re-render.
    expect(after[engine[0].id]).toBe(before[engine[0].id]);
  });

  it('shows a stop at once and then the engine status text', async () => {
    const web = engine[0];
    engine = [{ ...web, state: 'exited', status: 'Exited (0) 1 second ago' }, engine[1]];
    useContainers.getState().applyEvent(event('container', 'die', web.id));
    expect(useContainers.getState().byId[web.id].state).toBe('exited');
    await useContainers.getState().settled();
    expect(useContainers.getState().byId[web.id].status).toBe('Exited (0) 1 second ago');
  });

  it('does not bring back a destroyed container from a refetch that raced it', async () => {
    const web = engine[0];
    useContainers.getState().applyEvent(event('container', 'stop', web.id));
    useContainers.getState().applyEvent(event('container', 'destroy', web.id));
    await useContainers.getState().settled();
    expect(useContainers.getState().byId[web.id]).toBeUndefined();
  });

  it('ignores other event types', async () => {
    useContainers.getState().applyEvent(event('image', 'pull', 'sha256:x'));
    await useContainers.getState().settled();
    expect(listCalls()).toBe(1);
  });

  it('reports a failed action with the engine message', async () => {
    fake.on('containers.stop', () => { throw new Error('cannot stop container: permission denied'); });
    const ok = await useContainers.getState().act(engine[0].id, 'stop');
    expect(ok).toBe(false);
    expect(useNotices.getState().notices.at(-1)?.text).toBe('Could not stop web: cannot stop container: permission denied');
    expect(useContainers.getState().busy).toEqual({});
  });

  it('deletes with force', async () => {
    await useContainers.getState().act(engine[0].id, 'remove');
    expect(fake.calls.at(-1)).toEqual({ method: 'containers.remove', params: { id: engine[0].id, force: true } });
  });
});
