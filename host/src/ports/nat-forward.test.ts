import net from 'node:net';
import { Duplex, PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { HostAgentEvent } from '../../../protocol/src/link.ts';
import type { EngineEvent } from './engine-client.ts';
import { GuestNat } from './guest-nat.ts';
import type { HostForwardRule } from './nat-forward.ts';
import { PortForwarder } from './port-forwarder.ts';
import { publishedPorts } from './published-ports.ts';

const freePort = () => new Promise<number>((r) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const p = (s.address() as net.AddressInfo).port;
    s.close(() => r(p));
  });
});

/** A fake guest shell: records each command, answers with the exit status the test chooses. */
class FakeGuest {
  commands: string[] = [];
  fail?: RegExp;
  async exec(cmd: string): Promise<Duplex> {
    this.commands.push(cmd.replace(/ 2>&1; echo "exit=\$\?"$/, ''));
    const chunks: Buffer[] = [];
    const reply = this.fail?.test(cmd) ? 'Error: Could not process rule: No such file or directory\nexit=1\n' : 'exit=0\n';
    return new Duplex({
      write: (chunk: Buffer, _enc, cb) => cb(void chunks.push(chunk)),
      final(cb) {
        guestInputs.push(Buffer.concat(chunks).toString());
        this.push(reply);
        this.push(null);
        cb();
      },
      read() {},
    });
  }
}
const guestInputs: string[] = [];

class FakeEngine {
  running = new Map<string, Record<string, Array<{ HostIp: string; HostPort: string }>>>();
  emit: (e: EngineEvent) => void = () => {};
  async getJson(p: string): Promise<unknown> {
    if (p === '/containers/json') return [...this.running.keys()].map((Id) => ({ Id }));
    const id = decodeURIComponent(p.split('/')[2]);
    return { Id: id, NetworkSettings: { IPAddress: '172.29.0.9', Ports: this.running.get(id) ?? {} } };
  }
  events(_f: unknown, on: (e: EngineEvent) => void) {
    this.emit = on;
    return { close() {} };
  }
  start(id: string, ports: Record<string, Array<{ HostIp: string; HostPort: string }>>) {
    this.running.set(id, ports);
    this.emit({ Type: 'container', Action: 'start', Actor: { ID: id } });
  }
  stop(id: string) {
    this.running.delete(id);
    this.emit({ Type: 'container', Action: 'die', Actor: { ID: id } });
  }
}

const link = {
  opened: [] as string[],
  async openTcp(ip: string, port: number): Promise<Duplex> {
    this.opened.push(`${ip}:${port}`);
    const ch = new PassThrough();
    ch.end('via the link');
    return ch;
  },
  async exec(): Promise<Duplex> {
    throw new Error('no exec on this fake');
  },
};

let fwd: PortForwarder | undefined;
afterEach(async () => fwd?.close());

function setup() {
  const engine = new FakeEngine();
  const guest = new FakeGuest();
  const rules: Array<{ rule: HostForwardRule; on: boolean }> = [];
  const events: HostAgentEvent[] = [];
  const logs: string[] = [];
  fwd = new PortForwarder({
    engine, tunnel: link, log: (l) => logs.push(l), onPort: (e) => events.push(e),
    nat: { guest: new GuestNat(guest), hostForward: async (rule, on) => void rules.push({ rule, on }) },
  });
  return { engine, guest, rules, events, logs, fwd };
}

describe('published ports on the NAT path', () => {
  it('reads the container address and port for the NAT path', () => {
    expect(publishedPorts({ Id: 'c', NetworkSettings: { IPAddress: '', Networks: { bridge: { IPAddress: '172.29.0.3' } }, Ports: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] } } })).toEqual([
      { containerId: 'c', proto: 'tcp', hostIp: '127.0.0.1', hostPort: 8080, guestIp: '127.0.0.1', guestPort: 8080, containerIp: '172.29.0.3', containerPort: 80 },
    ]);
  });

  it('maps the port to the container in the guest, adds the host forward, and undoes both on die', async () => {
    const { engine, guest, rules, events, fwd } = setup();
    await fwd.start();
    expect(guest.commands).toEqual(['nft -f -']);
    expect(guestInputs.at(-1)).toContain('iifname "eth0" dnat ip to tcp dport map @tcp_dnat');
    const [tcp, udp] = [await freePort(), await freePort()];
    engine.start('c1', { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(tcp) }], '53/udp': [{ HostIp: '', HostPort: String(udp) }] });
    await fwd.idle();
    expect(guest.commands.slice(1)).toEqual([
      `nft add element ip berth_ports tcp_dnat '{ ${tcp} : 172.29.0.9 . 80 }'`,
      `nft add element ip berth_ports udp_dnat '{ ${udp} : 172.29.0.9 . 53 }'`,
    ]);
    expect(rules).toEqual([
      { rule: { proto: 'tcp', hostIp: '127.0.0.1', hostPort: tcp, guestPort: tcp }, on: true },
      { rule: { proto: 'udp', hostIp: '0.0.0.0', hostPort: udp, guestPort: udp }, on: true },
    ]);
    expect(events.map((e) => e.type === 'port' && `${e.state}:${e.forward.via}`)).toEqual(['open:nat', 'open:nat']);
    engine.stop('c1');
    await fwd.idle();
    expect(rules.slice(2).map((r) => `${r.on}:${r.rule.hostPort}`)).toEqual([`false:${tcp}`, `false:${udp}`]);
    expect(guest.commands.slice(3)).toEqual([`nft delete element ip berth_ports tcp_dnat '{ ${tcp} }'`, `nft delete element ip berth_ports udp_dnat '{ ${udp} }'`]);
    // Closing for a VM that is going away drops NAT forwards without a guest command each.
    engine.start('c9', { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(await freePort()) }] });
    await fwd.idle();
    const before = guest.commands.length;
    await fwd.close({ vmGoing: true });
    expect(guest.commands.length).toBe(before);
    expect(rules.filter((r) => !r.on)).toHaveLength(2);
  });

  it('reports a port taken on the host before touching the guest', async () => {
    const { engine, guest, rules, logs, fwd } = setup();
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const busy = (taken.address() as net.AddressInfo).port;
    await fwd.start();
    engine.start('c2', { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(busy) }] });
    await fwd.idle();
    expect(logs.join('\n')).toContain(`cannot publish 127.0.0.1:${busy}/tcp for container c2 on the host: the port is already in use on this computer`);
    expect(guest.commands).toEqual(['nft -f -']);
    expect(rules).toEqual([]);
    taken.close();
  });

  it('rolls the guest map back when QEMU refuses, and falls back to the link', async () => {
    const { engine, guest, events, fwd, logs } = setup();
    // A driver that refuses every forward.
    (fwd as unknown as { opts: { nat: { hostForward: () => Promise<void> } } }).opts.nat.hostForward = async () => {
      throw new Error("Could not set up host forwarding rule 'tcp:127.0.0.1:1-10.0.2.15:1'");
    };
    await fwd.start();
    const p = await freePort();
    engine.start('c3', { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(p) }] });
    await fwd.idle();
    expect(guest.commands.slice(1)).toEqual([`nft add element ip berth_ports tcp_dnat '{ ${p} : 172.29.0.9 . 80 }'`, `nft delete element ip berth_ports tcp_dnat '{ ${p} }'`]);
    expect(logs.join('\n')).toContain(`127.0.0.1:${p}/tcp takes the link path: Could not set up host forwarding rule`);
    expect(events.map((e) => e.type === 'port' && `${e.state}:${e.forward.via}`)).toEqual(['open:link']);
  });

  it('uses the link for IPv6 host addresses (QEMU forwards IPv4 only here)', async () => {
    const { engine, guest, events, fwd } = setup();
    await fwd.start();
    const p = await freePort();
    engine.start('c5', { '80/tcp': [{ HostIp: '::1', HostPort: String(p) }] });
    await fwd.idle();
    expect(guest.commands).toEqual(['nft -f -']);
    expect(events.map((e) => e.type === 'port' && `${e.state}:${e.forward.via}:${e.forward.hostIp}`)).toEqual(['open:link:::1']);
  });

  it('uses the link for everything when the guest table cannot be made', async () => {
    const { engine, guest, fwd, logs } = setup();
    guest.fail = /nft -f/;
    await fwd.start();
    expect(logs.join('\n')).toMatch(/the NAT path is off, ports go through the link: in the guest, nft -f - failed: Error: Could not process rule/);
    const p = await freePort();
    link.opened = [];
    engine.start('c4', { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(p) }] });
    await fwd.idle();
    expect(guest.commands).toEqual(['nft -f -']);
    const got = await new Promise<string>((resolve) => net.connect(p, '127.0.0.1').on('data', (d) => resolve(d.toString())));
    expect(got).toBe('via the link');
    expect(link.opened).toEqual([`127.0.0.1:${p}`]);
  });
});
