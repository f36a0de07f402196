// Published-port forwarding driven by the engine's events: on container start the host listens
// on each published host IP:port and forwards to the guest; on die/stop/destroy it stops. A port
// already taken on the host is reported (log + event), never fatal. On (re)subscribe it
// reconciles with the running containers, so a dropped event stream loses nothing.
// Two paths: NAT (QEMU host forward + DNAT in the guest straight to the container; IPv4 host
// addresses, when the driver offers it) and the link (a host listener relaying over ssh to the
// engine's own port in the guest: IPv6, host-network containers, or when NAT is unavailable).
import net from 'node:net';
import type { HostAgentEvent, PortForward } from '../../../protocol/src/link.ts';
import type { EngineClient } from './engine-client.ts';
import type { GuestTunnel } from './guest-tunnel.ts';
import { NatForward, type NatPath } from './nat-forward.ts';
import { forwardKey, publishedPorts } from './published-ports.ts';
import { TcpForward } from './tcp-forward.ts';
import { UdpForward } from './udp-forward.ts';

type PortEvent = Extract<HostAgentEvent, { type: 'port' }>;

export interface PortForwarderOptions {
  engine: Pick<EngineClient, 'getJson' | 'events'>;
  tunnel: GuestTunnel;
  /** The NAT path, when the VM driver can add host forwards while running. */
  nat?: NatPath;
  log?: (line: string) => void;
  onPort?: (e: PortEvent) => void;
  resubscribeMs?: number;
}

const STOP_ACTIONS = new Set(['die', 'stop', 'destroy', 'kill']);

export class PortForwarder {
  private readonly open = new Map<string, { forward: PortForward; handle: { close(): Promise<void> } }>();
  private natReady?: Promise<boolean>;
  private queue: Promise<void> = Promise.resolve();
  private sub?: { close(): void };
  private closed = false;
  private retry?: NodeJS.Timeout;

  constructor(private readonly opts: PortForwarderOptions) {}

  private log(line: string): void {
    this.opts.log?.(line);
  }

  /** Subscribes first, then reconciles, so a start between the two is not missed. */
  async start(): Promise<void> {
    this.natReady ??= this.prepareNat();
    await this.natReady;
    this.sub = this.opts.engine.events({ type: ['container'] }, (e) => {
      const id = e.Actor?.ID ?? e.id;
      if (!id || e.Type !== 'container') return;
      if (e.Action === 'start') this.enqueue(() => this.openFor(id));
      else if (e.Action && STOP_ACTIONS.has(e.Action)) this.enqueue(() => this.closeFor(id));
    }, (err) => this.onStreamEnd(err));
    await this.enqueue(() => this.reconcile());
  }

  /** Resolves when all work queued so far is done (tests and shutdown use it). */
  idle(): Promise<void> {
    return this.queue;
  }

  forwards(): PortForward[] {
    return [...this.open.values()].map((o) => o.forward);
  }

  /**
   * Stops forwarding. With vmGoing, NAT forwards are just dropped: QEMU's listeners and the guest's
   * map end with the VM, and undoing each would cost a guest process on the way to power-off.
   */
  async close(opts: { vmGoing?: boolean } = {}): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    this.sub?.close();
    await this.queue;
    const handles = [...this.open.values()].filter((o) => !(opts.vmGoing && o.forward.via === 'nat'));
    await Promise.all(handles.map((o) => o.handle.close()));
    this.open.clear();
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(task).catch((err: Error) => this.log(`ports: ${err.message}`));
    return this.queue;
  }

  private onStreamEnd(err?: Error): void {
    if (this.closed) return;
    this.log(`ports: engine event stream ended${err ? ` (${err.message})` : ''}; resubscribing`);
    this.retry = setTimeout(() => void this.start(), this.opts.resubscribeMs ?? 1000);
  }

  private async reconcile(): Promise<void> {
    const list = (await this.opts.engine.getJson('/containers/json')) as Array<{ Id: string }>;
    const running = new Set(list.map((c) => c.Id));
    for (const { forward } of [...this.open.values()]) {
      if (!running.has(forward.containerId)) await this.closeFor(forward.containerId);
    }
    for (const id of running) await this.openFor(id);
  }

  /** Sets up the guest's DNAT table once; without it every port takes the link path. */
  private async prepareNat(): Promise<boolean> {
    if (!this.opts.nat) return false;
    try {
      await this.opts.nat.guest.reset();
      return true;
    } catch (err) {
      this.log(`ports: the NAT path is off, ports go through the link: ${(err as Error).message}`);
      return false;
    }
  }

  private async openHandle(f: PortForward): Promise<{ forward: PortForward; handle: { close(): Promise<void> } }> {
    const nat = this.opts.nat;
    const { containerIp, containerPort } = f;
    if (nat && (await this.natReady) && containerIp && containerPort && net.isIPv4(f.hostIp)) {
      try {
        const forward = { ...f, via: 'nat' as const };
        return { forward, handle: await NatForward.open({ ...forward, containerIp, containerPort }, nat, (l) => this.log(l)) };
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL') throw err;
        this.log(`ports: ${f.hostIp}:${f.hostPort}/${f.proto} takes the link path: ${(err as Error).message}`);
      }
    }
    const forward = { ...f, via: 'link' as const };
    const handle = f.proto === 'tcp'
      ? await TcpForward.open(f, this.opts.tunnel, (l) => this.log(l))
      : await UdpForward.open(f, this.opts.tunnel, (l) => this.log(l));
    return { forward, handle };
  }

  private async openFor(id: string): Promise<void> {
    let forwards: PortForward[];
    try {
      forwards = publishedPorts(await this.opts.engine.getJson(`/containers/${encodeURIComponent(id)}/json`));
    } catch (err) {
      return this.log(`ports: inspect ${id.slice(0, 12)}: ${(err as Error).message}`);
    }
    for (const f of forwards) {
      const key = forwardKey(f);
      if (this.open.get(key)?.forward.containerId === f.containerId) continue;
      try {
        const opened = await this.openHandle(f);
        this.open.set(key, opened);
        this.report(opened.forward, 'open');
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        const why = e.code === 'EADDRINUSE' ? 'the port is already in use on this computer'
          : e.code === 'EADDRNOTAVAIL' ? 'this computer has no such address' : e.message;
        this.log(`ports: cannot publish ${f.hostIp}:${f.hostPort}/${f.proto} for container ${id.slice(0, 12)} on the host: ${why}`);
        this.report(f, 'error', why);
      }
    }
  }

  private async closeFor(id: string): Promise<void> {
    for (const [key, o] of [...this.open]) {
      if (o.forward.containerId !== id) continue;
      this.open.delete(key);
      await o.handle.close();
      this.report(o.forward, 'closed');
    }
  }

  private report(forward: PortForward, state: PortEvent['state'], error?: string): void {
    this.opts.onPort?.({ type: 'port', time: new Date().toISOString(), forward, state, ...(error ? { error } : {}) });
  }
}
