import { describe, expect, it } from 'vitest';
import { container, event } from '../test/fixtures.ts';
import { applyContainerEvent } from './container-events.ts';

describe('applyContainerEvent', () => {
  const web = container('web');
  const byId = { [web.id]: web };

  it('patches the state at once and asks for the row to be refetched', () => {
    const { byId: next, refetch } = applyContainerEvent(byId, event('container', 'die', web.id));
    expect(next[web.id].state).toBe('exited');
    expect(refetch).toBe(true);
    expect(byId[web.id].state).toBe('running');
  });

  it('removes a destroyed container without refetching', () => {
    const { byId: next, refetch } = applyContainerEvent(byId, event('container', 'destroy', web.id));
    expect(next).toEqual({});
    expect(refetch).toBe(false);
  });

  it('ignores exec and attach events', () => {
    for (const action of ['exec_create', 'exec_start: sh', 'attach', 'resize']) {
      const effect = applyContainerEvent(byId, event('container', action, web.id));
      expect(effect.byId).toBe(byId);
      expect(effect.refetch).toBe(false);
    }
  });

  it('refetches a container it has not seen (create)', () => {
    const effect = applyContainerEvent(byId, event('container', 'create', 'new-id'));
    expect(effect.byId).toBe(byId);
    expect(effect.refetch).toBe(true);
  });

  it('renames from the event attributes', () => {
    const { byId: next } = applyContainerEvent(byId, event('container', 'rename', web.id, { name: '/api' }));
    expect(next[web.id].name).toBe('api');
  });
});
