import { describe, expect, it } from 'vitest';
import { container } from '../test/fixtures.ts';
import { filterContainers } from './container-filter.ts';

describe('filterContainers', () => {
  const list = [
    container('web', { created: 3, image: 'nginx:1', ports: [{ hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, proto: 'tcp' }] }),
    container('db', { created: 2, state: 'exited', image: 'postgres:16' }),
    container('cache', { created: 1, state: 'paused', image: 'redis' }),
  ];
  const names = (f: Parameters<typeof filterContainers>[1]) => filterContainers(list, f).map((c) => c.name);

  it('shows all, newest first', () => expect(names({ query: '', state: 'all' })).toEqual(['web', 'db', 'cache']));
  it('filters by state', () => {
    expect(names({ query: '', state: 'running' })).toEqual(['web']);
    expect(names({ query: '', state: 'stopped' })).toEqual(['db']);
    expect(names({ query: '', state: 'paused' })).toEqual(['cache']);
  });
  it('searches name, image, id prefix and host port, ignoring case', () => {
    expect(names({ query: 'POSTGRES', state: 'all' })).toEqual(['db']);
    expect(names({ query: 'cach', state: 'all' })).toEqual(['cache']);
    expect(names({ query: 'web-id', state: 'all' })).toEqual(['web']);
    expect(names({ query: '8080', state: 'all' })).toEqual(['web']);
    expect(names({ query: 'db', state: 'running' })).toEqual([]);
  });
});
