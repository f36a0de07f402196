// Docker's default `bridge` network on our own bridge device: a named netns per container, a veth
// pair into the bridge, an address from the subnet, and NAT out. Leases are persisted before the
// kernel objects are made and released after they are gone, so after a crash `reconcile` can find
// and remove everything a dead container left.
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { exec, ExecError } from '../sys/exec.ts';
import { writeJsonAtomic, readJson } from '../sys/atomic-file.ts';
import { writeSysctl } from '../sys/procfs.ts';
import { conflict, internal, invalid, EngineError } from '../errors.ts';
import { log } from '../log.ts';
import { IpPool, macFromIp } from './ip-pool.ts';
import { NatRules, type NatTool } from './nat-rules.ts';

export interface Endpoint {
  containerId: string;
  netnsPath: string;
  ipAddress: string;
  prefixLen: number;
  gateway: string;
  macAddress: string;
  hostVeth: string;
}

export interface BridgeSetupOptions {
  bridge: string;
  subnet: string;
  stateDir: string;
  /** Force a NAT tool (tests); default: nft, then iptables-nft. */
  natTool?: NatTool;
}

interface State {
  subnet: string;
  natTool?: NatTool;
  last?: string;
  endpoints: Record<string, Endpoint>;
}

const NETNS_DIR = '/run/netns';

export function netnsName(containerId: string): string {
  return `berth-${containerId.slice(0, 12)}`;
}

export class BridgeNetwork {
  readonly gateway: string;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly bridge: string,
    private readonly pool: IpPool,
    private readonly stateFile: string,
    private state: State,
    readonly natTool: NatTool,
  ) {
    this.gateway = pool.gateway;
  }

  get subnet(): string {
    return this.pool.canonical;
  }

  static async setup(opts: BridgeSetupOptions): Promise<BridgeNetwork> {
    if (!/^[a-zA-Z][a-zA-Z0-9_-]{0,14}$/.test(opts.bridge)) throw invalid(`invalid bridge name: ${opts.bridge}`);
    const pool = new IpPool(opts.subnet);
    await fs.mkdir(opts.stateDir, { recursive: true });
    const stateFile = path.join(opts.stateDir, `${opts.bridge}.json`);
    const saved = await readJson<State>(stateFile);
    if (saved && saved.subnet !== pool.canonical && Object.keys(saved.endpoints).length > 0) {
      throw conflict(`bridge ${opts.bridge} has endpoints in ${saved.subnet}, cannot change its subnet to ${pool.canonical}`);
    }
    const state: State = saved && saved.subnet === pool.canonical ? saved : { subnet: pool.canonical, endpoints: {} };
    await ensureBridge(opts.bridge, `${pool.gateway}/${pool.prefixLen}`);
    await writeSysctl('net.ipv4.ip_forward', '1');
    const nat = await NatRules.apply(opts.bridge, pool.canonical, opts.natTool);
    state.natTool = nat.tool;
    await writeJsonAtomic(stateFile, state);
    return new BridgeNetwork(opts.bridge, pool, stateFile, state, nat.tool);
  }

  endpoint(containerId: string): Endpoint | undefined {
    const ep = this.state.endpoints[containerId];
    return ep ? { ...ep } : undefined;
  }

  async attach(containerId: string): Promise<Endpoint> {
    if (!/^[a-zA-Z0-9_.-]{1,128}$/.test(containerId)) throw invalid(`invalid container id: ${containerId}`);
    const ep = await this.lease(containerId);
    try {
      await this.plumb(ep);
      return { ...ep };
    } catch (e) {
      await this.unplumb(ep).catch((u) => log.warn('attach rollback failed', { containerId, error: String(u) }));
      await this.release(containerId);
      if (e instanceof EngineError) throw e;
      throw internal(`failed to set up network for ${containerId.slice(0, 12)}: ${(e as Error).message}`, e);
    }
  }

  async detach(containerId: string): Promise<void> {
    const ep = this.state.endpoints[containerId];
    if (!ep) return;
    await this.unplumb(ep);
    await this.release(containerId);
  }

  async reconcile(liveContainerIds: Set<string>): Promise<void> {
    for (const id of Object.keys(this.state.endpoints)) {
      if (!liveContainerIds.has(id)) await this.detach(id);
    }
    // Leases are written before links are made, so an unknown veth on our bridge is a leftover
    // from an older state file (restored backup, wiped state dir). Run this before any attach.
    const known = new Set(Object.values(this.state.endpoints).map((e) => e.hostVeth));
    const { stdout } = await exec('ip', ['-j', 'link', 'show', 'master', this.bridge]);
    const links = JSON.parse(stdout || '[]') as Array<{ ifname: string }>;
    for (const l of links) {
      if (/^vb[0-9a-f]{8}$/.test(l.ifname) && !known.has(l.ifname)) {
        await exec('ip', ['link', 'del', l.ifname], { okCodes: [1, 2] });
      }
    }
  }

  async destroy(): Promise<void> {
    for (const id of Object.keys(this.state.endpoints)) await this.detach(id);
    await exec('ip', ['link', 'del', this.bridge], { okCodes: [1, 2] });
    await NatRules.remove(this.bridge, this.subnet);
    await fs.rm(this.stateFile, { force: true });
  }

  /** Runs state mutations one at a time; kernel work happens outside so attaches run in parallel. */
  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private lease(containerId: string): Promise<Endpoint> {
    return this.locked(async () => {
      if (this.state.endpoints[containerId]) throw conflict(`container ${containerId.slice(0, 12)} is already attached to ${this.bridge}`);
      const taken = new Set(Object.values(this.state.endpoints).map((e) => e.ipAddress));
      const ip = this.pool.allocate(taken, this.state.last);
      if (!ip) throw new EngineError('Unavailable', `no available IPv4 addresses on this network's address pools: bridge (${this.subnet})`);
      const ep: Endpoint = {
        containerId,
        netnsPath: path.join(NETNS_DIR, netnsName(containerId)),
        ipAddress: ip,
        prefixLen: this.pool.prefixLen,
        gateway: this.gateway,
        macAddress: macFromIp(ip),
        hostVeth: `vb${randomBytes(4).toString('hex')}`,
      };
      this.state.endpoints[containerId] = ep;
      this.state.last = ip;
      await this.save();
      return ep;
    });
  }

  private release(containerId: string): Promise<void> {
    return this.locked(async () => {
      if (!this.state.endpoints[containerId]) return;
      delete this.state.endpoints[containerId];
      await this.save();
    });
  }

  private save(): Promise<void> {
    return writeJsonAtomic(this.stateFile, this.state);
  }

  /** Two `ip` processes: one batch in the host namespace, one inside the container's. */
  private async plumb(ep: Endpoint): Promise<void> {
    const ns = path.basename(ep.netnsPath);
    // No lease claims this container (we just took it), so a netns of that name is a leftover.
    const stale = await fs.access(ep.netnsPath).then(() => true, () => false);
    if (stale) await exec('ip', ['netns', 'del', ns], { okCodes: [1] });
    await ipBatch(undefined, [
      `netns add ${ns}`,
      `link add ${ep.hostVeth} type veth peer name eth0 address ${ep.macAddress} netns ${ns}`,
      `link set ${ep.hostVeth} master ${this.bridge} up`,
    ]);
    await ipBatch(ns, [
      'link set lo up',
      `addr add ${ep.ipAddress}/${ep.prefixLen} dev eth0`,
      'link set eth0 up',
      `route add default via ${ep.gateway} dev eth0`,
    ]);
  }

  /**
   * Deletes the veth first (netns teardown in the kernel is asynchronous, the veth would linger),
   * then the netns, in one `ip -force` batch that carries on past what is already gone.
   */
  private async unplumb(ep: Endpoint): Promise<void> {
    const ns = path.basename(ep.netnsPath);
    const res = await exec('ip', ['-force', '-batch', '-'], { input: `link del ${ep.hostVeth}\nnetns del ${ns}\n`, okCodes: [1] });
    const real = res.stderr
      .split('\n')
      .filter((l) => l.trim() !== '' && !/^Command failed|Cannot find device|No such file or directory/.test(l));
    if (real.length > 0) throw internal(`failed to remove network of ${ep.containerId.slice(0, 12)}: ${real.join('; ')}`);
  }
}

async function ipBatch(netns: string | undefined, lines: string[]): Promise<void> {
  const args = netns ? ['-n', netns, '-batch', '-'] : ['-batch', '-'];
  await exec('ip', args, { input: lines.join('\n') + '\n' });
}

/** Creates the bridge if needed, gives it the gateway address and brings it up, idempotently. */
async function ensureBridge(bridge: string, gatewayCidr: string): Promise<void> {
  const show = await exec('ip', ['-d', '-j', 'link', 'show', 'dev', bridge], { okCodes: [1, 255] });
  const lines: string[] = [];
  if (show.code !== 0) {
    lines.push(`link add ${bridge} type bridge`);
  } else {
    const info = (JSON.parse(show.stdout || '[]') as Array<{ linkinfo?: { info_kind?: string } }>)[0];
    if (info?.linkinfo?.info_kind !== 'bridge') throw conflict(`${bridge} exists and is not a bridge`);
  }
  lines.push(`addr replace ${gatewayCidr} dev ${bridge}`, `link set ${bridge} up`);
  try {
    await ipBatch(undefined, lines);
  } catch (e) {
    if (e instanceof ExecError) throw internal(`failed to set up bridge ${bridge}: ${e.stderr.trim()}`, e);
    throw e;
  }
}
