import net from 'node:net';
import { PassThrough, type Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { HostAgentEvent } from '../../../protocol/src/link.ts';
import type { EngineEvent } from './engine-client.ts';
import { PortForwarder } from './port-forwarder.ts';
import { publishedPorts } from './published-ports.ts';

const freePort = () => new Promise<number>((r) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const p = (s.address() as net.AddressInfo).port;
    s.close(() => r(p));
  });
});

/** A fake engine: containers with their published ports, and an event stream the test drives. */
class FakeEngine {
  running = new Map<string, number[]>();
  emit: (e: EngineEvent) => void = () => {};
  async getJson(p: string): Promise<unknown> {
    if (p === '/containers/json') return [...this.running.keys()].map((Id) => ({ Id }));
    const id = decodeURIComponent(p.split('/')[2]);
    const ports = this.running.get(id) ?? [];
    return { Id: id, NetworkSettings: { Ports: Object.fromEntries(ports.map((hp, i) => [`${80 + i}/tcp`, [{ HostIp: '127.0.0.1', HostPort: String(hp) }]])) } };
  }
  events(_f: unknown, on: (e: EngineEvent) => void) {
    this.emit = on;
    return { close() {} };
  }
  start(id: string, ports: number[]) {
    this.running.set(id, ports);
    this.emit({ Type: 'container', Action: 'start', Actor: { ID: id } });
  }
  stop(id: string) {
    this.running.delete(id);
    this.emit({ Type: 'container', Action: 'die', Actor: { ID: id } });
  }
}

/** A fake link: every TCP channel answers with which guest port it reached. */
const tunnel = {
  opened: [] as string[],
  async openTcp(ip: string, port: number): Promise<Duplex> {
    this.opened.push(`${ip}:${port}`);
    const ch = new PassThrough();
    ch.end(`guest ${ip}:${port}`);
    return ch;
  },
  async exec(): Promise<Duplex> {
    throw new Error('no exec here');
  },
};

const fetchText = (port: number) => new Promise<string>((resolve, reject) => {
  const s = net.connect(port, '127.0.0.1');
  let out = '';
  s.on('data', (d) => (out += d.toString()));
  s.on('end', () => resolve(out));
  s.on('error', reject);
});

let fwd: PortForwarder | undefined;
afterEach(async () => fwd?.close());

describe('published-port forwarding', () => {
  it('reads published ports from inspect JSON', () => {
    expect(publishedPorts({ Id: 'c1', NetworkSettings: { Ports: { '80/tcp': [{ HostIp: '', HostPort: '8080' }, { HostIp: '::', HostPort: '8080' }], '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }], '443/tcp': null } } })).toEqual([
      { containerId: 'c1', proto: 'tcp', hostIp: '0.0.0.0', hostPort: 8080, guestIp: '127.0.0.1', guestPort: 8080 },
      { containerId: 'c1', proto: 'tcp', hostIp: '::', hostPort: 8080, guestIp: '127.0.0.1', guestPort: 8080 },
      { containerId: 'c1', proto: 'udp', hostIp: '127.0.0.1', hostPort: 5353, guestIp: '127.0.0.1', guestPort: 5353 },
    ]);
  });

  it('opens on start events and already-running containers, closes on die', async () => {
    const engine = new FakeEngine();
    const [p1, p2] = [await freePort(), await freePort()];
    engine.running.set('already', [p1]);
    const events: HostAgentEvent[] = [];
    fwd = new PortForwarder({ engine, tunnel, onPort: (e) => events.push(e) });
    await fwd.start();
    expect(await fetchText(p1)).toBe(`guest 127.0.0.1:${p1}`);
    engine.start('new', [p2]);
    await fwd.idle();
    expect(await fetchText(p2)).toBe(`guest 127.0.0.1:${p2}`);
    engine.stop('new');
    await fwd.idle();
    await expect(fetchText(p2)).rejects.toThrow(/ECONNREFUSED/);
    expect(events.map((e) => e.type === 'port' && `${e.state}:${e.forward.hostPort}`)).toEqual([`open:${p1}`, `open:${p2}`, `closed:${p2}`]);
  });

  it('reports a port taken on the host clearly and keeps the others', async () => {
    const engine = new FakeEngine();
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const busy = (taken.address() as net.AddressInfo).port;
    const ok = await freePort();
    const logs: string[] = [];
    const events: HostAgentEvent[] = [];
    fwd = new PortForwarder({ engine, tunnel, log: (l) => logs.push(l), onPort: (e) => events.push(e) });
    await fwd.start();
    engine.start('c', [busy, ok]);
    await fwd.idle();
    expect(logs.join('\n')).toContain(`cannot publish 127.0.0.1:${busy}/tcp for container c on the host: the port is already in use on this computer`);
    expect(events.find((e) => e.type === 'port' && e.state === 'error')).toMatchObject({ forward: { hostPort: busy } });
    expect(await fetchText(ok)).toBe(`guest 127.0.0.1:${ok}`);
    taken.close();
  });
});
