import { describe, it, expect } from 'vitest';
import { parsePortSpecs } from './port-spec.ts';

function errOf(f: () => unknown): { kind: string; message: string } {
  try {
    f();
  } catch (e) {
    return e as { kind: string; message: string };
  }
  throw new Error('expected an error');
}

describe('parsePortSpecs', () => {
  it('normalizes plain bindings with tcp default', () => {
    expect(
      parsePortSpecs({
        '80/tcp': [{ hostIp: '', hostPort: '8080' }],
        '53/udp': [{ hostPort: '' }],
        '443/tcp': [{ hostIp: '127.0.0.1', hostPort: '8443' }, { hostIp: '[::1]', hostPort: '8443' }],
      }),
    ).toEqual([
      { proto: 'tcp', hostIp: '', hostPort: 8080, containerPort: 80 },
      { proto: 'udp', hostIp: '', hostPort: 0, containerPort: 53 },
      { proto: 'tcp', hostIp: '127.0.0.1', hostPort: 8443, containerPort: 443 },
      { proto: 'tcp', hostIp: '::1', hostPort: 8443, containerPort: 443 },
    ]);
  });

  it('defaults a bare port key to tcp', () => {
    expect(parsePortSpecs({ '443': [{ hostPort: '1443' }] })).toEqual([{ proto: 'tcp', hostIp: '', hostPort: 1443, containerPort: 443 }]);
  });

  it('treats an empty or null binding list as one random port', () => {
    expect(parsePortSpecs({ '80/tcp': [], '81/tcp': null })).toEqual([
      { proto: 'tcp', hostIp: '', hostPort: 0, containerPort: 80 },
      { proto: 'tcp', hostIp: '', hostPort: 0, containerPort: 81 },
    ]);
  });

  it('expands matching ranges one to one', () => {
    expect(parsePortSpecs({ '8000-8001/tcp': [{ hostPort: '9000-9001' }] })).toEqual([
      { proto: 'tcp', hostIp: '', hostPort: 9000, containerPort: 8000 },
      { proto: 'tcp', hostIp: '', hostPort: 9001, containerPort: 8001 },
    ]);
  });

  it('keeps a host range for a single container port as a range to allocate from', () => {
    expect(parsePortSpecs({ '80/tcp': [{ hostPort: '8000-8010' }] })).toEqual([
      { proto: 'tcp', hostIp: '', hostPort: 8000, hostPortEnd: 8010, containerPort: 80 },
    ]);
  });

  it('rejects bad input with Docker texts', () => {
    expect(errOf(() => parsePortSpecs({ '': [] }))).toMatchObject({ kind: 'InvalidArgument', message: 'invalid port specification: ""' });
    expect(errOf(() => parsePortSpecs({ '80/tcp/x': [] })).message).toBe('invalid port specification: "80/tcp/x"');
    expect(errOf(() => parsePortSpecs({ 'abc/tcp': [] })).message).toBe('invalid containerPort: abc');
    expect(errOf(() => parsePortSpecs({ '0/tcp': [] })).message).toBe('invalid containerPort: 0');
    expect(errOf(() => parsePortSpecs({ '70000/tcp': [] })).message).toBe('invalid containerPort: 70000');
    expect(errOf(() => parsePortSpecs({ '80/tcp': [{ hostPort: 'x1' }] })).message).toBe('invalid hostPort: x1');
    expect(errOf(() => parsePortSpecs({ '80/tcp': [{ hostPort: '9-8' }] })).message).toBe('invalid hostPort: 9-8');
    expect(errOf(() => parsePortSpecs({ '80/icmp': [] })).message).toBe('invalid proto: icmp');
    expect(errOf(() => parsePortSpecs({ '80/tcp': [{ hostIp: 'nope' }] })).message).toBe('invalid IP address: nope');
    expect(errOf(() => parsePortSpecs({ '80-82/tcp': [{ hostPort: '90-91' }] })).message).toBe(
      'invalid ranges specified for container and host Ports: 80-82 and 90-91',
    );
    expect(errOf(() => parsePortSpecs({ '80/sctp': [] })).kind).toBe('NotImplemented');
  });

  it('publishAll adds exposed ports that are not bound yet', () => {
    expect(
      parsePortSpecs({ '80/tcp': [{ hostPort: '8080' }] }, { publishAll: true, exposedPorts: ['80/tcp', '80/udp', '443/tcp', '443'] }),
    ).toEqual([
      { proto: 'tcp', hostIp: '', hostPort: 8080, containerPort: 80 },
      { proto: 'udp', hostIp: '', hostPort: 0, containerPort: 80 },
      { proto: 'tcp', hostIp: '', hostPort: 0, containerPort: 443 },
    ]);
    expect(parsePortSpecs(undefined, { publishAll: false, exposedPorts: ['80/tcp'] })).toEqual([]);
  });
});
