import { describe, expect, it } from 'vitest';
import { mapPorts, toContainerSummary, toCreateBody, type RunParams } from './container-mappers.ts';

const run = (over: Partial<RunParams> = {}): RunParams => ({ image: 'busybox', env: [], ports: [], volumes: [], ...over });

describe('container mappers', () => {
  it('lists published ports once (IPv4 over IPv6), skips unpublished ones, sorted', () => {
    expect(mapPorts([
      { IP: '::', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
      { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
      { PrivatePort: 443, Type: 'tcp' },
      { IP: '127.0.0.1', PrivatePort: 53, PublicPort: 5353, Type: 'udp' },
    ])).toEqual([
      { hostIp: '127.0.0.1', hostPort: 5353, containerPort: 53, proto: 'udp' },
      { hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, proto: 'tcp' },
    ]);
  });

  it('maps a list row to the UI shape (name without slash, ms times, unknown state)', () => {
    const s = toContainerSummary({ Id: 'abc', Names: ['/web'], Image: 'img', ImageID: 'sha256:1', Command: 'sh', Created: 10, State: 'weird', Status: 'Up', Ports: null, Labels: null });
    expect(s).toEqual({ id: 'abc', name: 'web', image: 'img', imageId: 'sha256:1', command: 'sh', created: 10_000, state: 'dead', status: 'Up', ports: [], labels: {} });
  });

  it('builds the create body: ports, env, named and bind volumes, limits', () => {
    const body = toCreateBody(run({
      cmd: ['httpd', '-f'],
      env: ['A=1'],
      ports: [{ hostPort: 8080, containerPort: 80, proto: 'tcp' }, { hostPort: 0, containerPort: 81, proto: 'udp' }],
      volumes: [{ source: 'data', target: '/data', readOnly: false }, { source: '/srv/www', target: '/www', readOnly: true }],
      cpus: 1.5,
      memoryMb: 256,
    }));
    expect(body).toEqual({
      Image: 'busybox',
      Cmd: ['httpd', '-f'],
      Env: ['A=1'],
      ExposedPorts: { '80/tcp': {}, '81/udp': {} },
      HostConfig: {
        PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }], '81/udp': [{ HostIp: '', HostPort: '' }] },
        Binds: ['data:/data', '/srv/www:/www:ro'],
        NanoCpus: 1_500_000_000,
        Memory: 256 * 1024 * 1024,
      },
    });
    expect(toCreateBody(run())).not.toHaveProperty('Cmd');
  });

  it('refuses volume sources that are neither a name nor an absolute path', () => {
    expect(() => toCreateBody(run({ volumes: [{ source: './rel', target: '/x', readOnly: false }] }))).toThrow(/volume source/);
    expect(() => toCreateBody(run({ volumes: [{ source: 'v', target: 'rel', readOnly: false }] }))).toThrow(/target/);
  });
});
