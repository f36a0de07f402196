// Runs against the real kernel (we are root): a unique bridge and a 172.30.x.0/24 subnet, traffic
// only between namespaces inside that subnet.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes, randomInt } from 'node:crypto';
import { exec } from '../sys/exec.ts';
import { BridgeNetwork, netnsName } from './bridge-network.ts';

const id = () => randomBytes(32).toString('hex');
const subnetOf = () => `172.30.${randomInt(0, 256)}.0/24`;

async function linkExists(name: string): Promise<boolean> {
  return (await exec('ip', ['link', 'show', 'dev', name], { okCodes: [1] })).code === 0;
}
async function netnsExists(name: string): Promise<boolean> {
  return fs.access(`/run/netns/${name}`).then(() => true, () => false);
}
async function nftTableExists(name: string): Promise<boolean> {
  return (await exec('nft', ['list', 'table', 'ip', name], { okCodes: [1] })).code === 0;
}
async function vethNames(): Promise<string[]> {
  const links = JSON.parse((await exec('ip', ['-j', 'link', 'show', 'type', 'veth'])).stdout || '[]') as Array<{ ifname: string }>;
  return links.map((l) => l.ifname).sort();
}
async function ping(fromNs: string, ip: string): Promise<boolean> {
  const r = await exec('ip', ['netns', 'exec', fromNs, '/bin/busybox', 'ping', '-c1', '-W2', ip], { okCodes: [1] });
  return r.code === 0;
}

describe('BridgeNetwork (nft)', () => {
  const bridge = `bt${randomBytes(3).toString('hex')}`;
  const subnet = subnetOf();
  let stateDir: string;
  let net: BridgeNetwork;

  beforeAll(async () => {
    stateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-net-'));
    net = await BridgeNetwork.setup({ bridge, subnet, stateDir });
  });
  afterAll(async () => {
    await net?.destroy().catch(() => undefined);
    await fs.rm(stateDir, { recursive: true, force: true });
  });

  it('sets up the bridge, gateway and NAT table idempotently', async () => {
    expect(net.gateway).toBe(subnet.replace('.0/24', '.1'));
    expect(net.natTool).toBe('nft');
    const again = await BridgeNetwork.setup({ bridge, subnet, stateDir });
    expect(again.gateway).toBe(net.gateway);
    const addrs = JSON.parse((await exec('ip', ['-4', '-j', 'addr', 'show', 'dev', bridge])).stdout) as Array<{ addr_info: Array<{ local: string }> }>;
    expect(addrs[0].addr_info.map((a) => a.local)).toEqual([net.gateway]);
    const table = (await exec('nft', ['list', 'table', 'ip', bridge])).stdout;
    expect(table).toContain('masquerade');
    expect(table).toContain(`oifname != "${bridge}"`);
    expect((await fs.readFile('/proc/sys/net/ipv4/ip_forward', 'utf8')).trim()).toBe('1');
  });

  it('attaches two containers that can reach each other and the gateway, then detaches', async () => {
    const a = id();
    const b = id();
    const t0 = performance.now();
    const [ea, eb] = await Promise.all([net.attach(a), net.attach(b)]);
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeLessThan(2000);
    expect(ea.netnsPath).toBe(`/run/netns/${netnsName(a)}`);
    expect(ea.ipAddress).not.toBe(eb.ipAddress);
    expect(ea.gateway).toBe(net.gateway);
    expect(ea.prefixLen).toBe(24);
    const [o1, o2, o3, o4] = ea.ipAddress.split('.').map((n) => Number(n).toString(16).padStart(2, '0'));
    expect(ea.macAddress).toBe(`02:42:${o1}:${o2}:${o3}:${o4}`);
    expect(net.endpoint(a)).toEqual(ea);

    const inside = JSON.parse((await exec('ip', ['-n', netnsName(a), '-j', 'addr', 'show', 'dev', 'eth0'])).stdout);
    expect(inside[0].address).toBe(ea.macAddress);
    expect(inside[0].addr_info[0].local).toBe(ea.ipAddress);
    const routes = JSON.parse((await exec('ip', ['-n', netnsName(a), '-j', 'route', 'show', 'default'])).stdout);
    expect(routes[0].gateway).toBe(net.gateway);

    expect(await ping(netnsName(a), eb.ipAddress)).toBe(true);
    expect(await ping(netnsName(b), net.gateway)).toBe(true);

    await expect(net.attach(a)).rejects.toMatchObject({ kind: 'Conflict' });

    await net.detach(a);
    await net.detach(a); // idempotent
    expect(await netnsExists(netnsName(a))).toBe(false);
    expect(await linkExists(ea.hostVeth)).toBe(false);
    expect(net.endpoint(a)).toBeUndefined();
    await net.detach(b);
    expect(await linkExists(eb.hostVeth)).toBe(false);
  });

  it('masquerades traffic leaving by another interface', async () => {
    // An "outside" namespace on its own 172.30.y.0/24 with no route back to the bridge subnet:
    // a reply only arrives if the source address was rewritten to the host's address on it.
    const tag = randomBytes(3).toString('hex');
    const outNs = `btout-${tag}`;
    const hostSide = `bo${tag}`;
    const y = (Number(subnet.split('.')[2]) + 1) % 256;
    await exec('ip', ['netns', 'add', outNs]);
    try {
      await exec('ip', ['-batch', '-'], {
        input: [
          `link add ${hostSide} type veth peer name eth0 netns ${outNs}`,
          `addr add 172.30.${y}.1/24 dev ${hostSide}`,
          `link set ${hostSide} up`,
        ].join('\n'),
      });
      await exec('ip', ['-n', outNs, '-batch', '-'], { input: `link set lo up\naddr add 172.30.${y}.2/24 dev eth0\nlink set eth0 up\n` });
      const c = id();
      await net.attach(c);
      try {
        expect(await ping(netnsName(c), `172.30.${y}.2`)).toBe(true);
      } finally {
        await net.detach(c);
      }
    } finally {
      await exec('ip', ['link', 'del', hostSide], { okCodes: [1] });
      await exec('ip', ['netns', 'del', outNs], { okCodes: [1] });
    }
  });

  it('persists endpoints across a restart and reconciles dead ones', async () => {
    const live = id();
    const dead = id();
    const el = await net.attach(live);
    const ed = await net.attach(dead);
    const reopened = await BridgeNetwork.setup({ bridge, subnet, stateDir });
    expect(reopened.endpoint(live)).toEqual(el);
    await reopened.reconcile(new Set([live]));
    expect(reopened.endpoint(dead)).toBeUndefined();
    expect(await netnsExists(netnsName(dead))).toBe(false);
    expect(await linkExists(ed.hostVeth)).toBe(false);
    expect(await netnsExists(netnsName(live))).toBe(true);
    // A new lease does not reuse the address just released.
    const next = await reopened.attach(id());
    expect(next.ipAddress).not.toBe(ed.ipAddress);
    net = reopened;
  });

  it('replaces a leftover netns of the same name', async () => {
    const c = id();
    await exec('ip', ['netns', 'add', netnsName(c)]);
    const ep = await net.attach(c);
    expect(await ping(netnsName(c), net.gateway)).toBe(true);
    await net.detach(c);
    expect(await netnsExists(netnsName(c))).toBe(false);
    expect(await linkExists(ep.hostVeth)).toBe(false);
  });

  it('rolls back everything when attach fails half way', async () => {
    const victim = id();
    const vethsBefore = await vethNames();
    // Without the bridge, `link set … master` fails after the netns and veth were made.
    await exec('ip', ['link', 'del', bridge]);
    try {
      await expect(net.attach(victim)).rejects.toMatchObject({ kind: 'Internal' });
      expect(net.endpoint(victim)).toBeUndefined();
      expect(await netnsExists(netnsName(victim))).toBe(false);
      expect(await vethNames()).toEqual(vethsBefore);
    } finally {
      net = await BridgeNetwork.setup({ bridge, subnet, stateDir });
    }
  });

  it('destroy removes bridge, table, netns and state', async () => {
    const c = id();
    const ep = await net.attach(c);
    await net.destroy();
    expect(await linkExists(bridge)).toBe(false);
    expect(await nftTableExists(bridge)).toBe(false);
    expect(await netnsExists(netnsName(c))).toBe(false);
    expect(await linkExists(ep.hostVeth)).toBe(false);
    expect(await fs.readdir(stateDir)).toEqual([]);
  });
});

describe('BridgeNetwork (iptables fallback)', () => {
  it('installs and removes tagged iptables-nft rules', async () => {
    // iptables-nft creates the host's `ip nat`/`ip filter` tables; remove them again if we did.
    const hadTables = await Promise.all([nftTableExists('nat'), nftTableExists('filter')]);
    const bridge = `bt${randomBytes(3).toString('hex')}`;
    const stateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-net-'));
    const net = await BridgeNetwork.setup({ bridge, subnet: subnetOf(), stateDir, natTool: 'iptables' });
    try {
      expect(net.natTool).toBe('iptables');
      await BridgeNetwork.setup({ bridge, subnet: net.subnet, stateDir, natTool: 'iptables' });
      const nat = (await exec('iptables-nft', ['-t', 'nat', '-S', 'POSTROUTING'])).stdout;
      expect(nat.split('\n').filter((l) => l.includes(`berth:${bridge}`))).toHaveLength(1);
    } finally {
      await net.destroy();
      await fs.rm(stateDir, { recursive: true, force: true });
    }
    const nat = (await exec('iptables-nft', ['-t', 'nat', '-S', 'POSTROUTING'])).stdout;
    const fwd = (await exec('iptables-nft', ['-S', 'FORWARD'])).stdout;
    expect(nat + fwd).not.toContain(`berth:${bridge}`);
    expect(await linkExists(bridge)).toBe(false);
    for (const [i, table] of (['nat', 'filter'] as const).entries()) {
      const rules = (await exec('iptables-nft', ['-t', table, '-S'])).stdout.split('\n').filter((l) => l.startsWith('-A'));
      if (!hadTables[i] && rules.length === 0) await exec('nft', ['delete', 'table', 'ip', table], { okCodes: [1] });
    }
  });
});
