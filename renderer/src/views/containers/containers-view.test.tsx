// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setApi } from '../../berth-api.ts';
import { useContainers } from '../../stores/containers-store.ts';
import { fakeApi, type FakeApi } from '../../test/fake-api.ts';
import { container, event } from '../../test/fixtures.ts';
import { ContainersView } from './containers-view.tsx';

describe('ContainersView', () => {
  let fake: FakeApi;
  const web = container('web', { created: 2, ports: [{ hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, proto: 'tcp' }, { hostIp: '::', hostPort: 8080, containerPort: 80, proto: 'tcp' }] });
  const db = container('db', { created: 1, state: 'exited', status: 'Exited (0) 1 hour ago' });

  beforeEach(() => {
    fake = fakeApi();
    fake.on('containers.list', () => [web, db]);
    setApi(fake.api);
    useContainers.setState({ byId: {}, loaded: false, busy: {} });
  });
  afterEach(() => {
    cleanup();
    setApi(undefined);
  });

  it('lists containers with their ports as links and live stats for running ones', async () => {
    render(<ContainersView />);
    const row = await screen.findByTestId('container-row-web');
    expect(screen.getByTestId('container-row-db')).toBeTruthy();
    const links = row.querySelectorAll('a.port-link');
    expect(links).toHaveLength(1);
    expect(links[0].getAttribute('href')).toBe('http://localhost:8080');
    expect(fake.subscribers('containers.stats')).toBe(1);
    act(() => fake.emit('containers.stats', { time: 1, cpuPercent: 12.5, memoryUsage: 5_000_000, memoryLimit: 0, netRx: 0, netTx: 0, blockRead: 0, blockWrite: 0, pids: 1 }));
    expect(row.querySelector('[data-testid="container-cpu"]')?.textContent).toBe('13%');
    expect(row.querySelector('[data-testid="container-memory"]')?.textContent).toBe('5.0 MB');
  });

  it('stops a container from its row and offers Start on a stopped one', async () => {
    render(<ContainersView />);
    fireEvent.click(await screen.findByRole('button', { name: 'Stop web' }));
    expect(fake.calls.some((c) => c.method === 'containers.stop' && (c.params as { id: string }).id === web.id)).toBe(true);
    expect(screen.getByRole('button', { name: 'Start db' })).toBeTruthy();
  });

  it('filters by search and state, and says so when nothing matches', async () => {
    render(<ContainersView />);
    await screen.findByTestId('container-row-web');
    fireEvent.change(screen.getByLabelText('Filter by state'), { target: { value: 'stopped' } });
    expect(screen.queryByTestId('container-row-web')).toBeNull();
    expect(screen.getByTestId('container-row-db')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Search containers'), { target: { value: 'zzz' } });
    expect(screen.getByText('No containers match')).toBeTruthy();
  });

  it('drops a row when the engine destroys the container', async () => {
    render(<ContainersView />);
    await screen.findByTestId('container-row-db');
    act(() => useContainers.getState().applyEvent(event('container', 'destroy', db.id)));
    expect(screen.queryByTestId('container-row-db')).toBeNull();
  });

  it('shows the engine error in plain words', async () => {
    fake.on('containers.list', () => { throw new Error('Cannot connect to the engine socket'); });
    render(<ContainersView />);
    expect((await screen.findByRole('alert')).textContent).toContain('Cannot connect to the engine socket');
  });
});
