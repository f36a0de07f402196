// The host agent (Lima's hostagent): the long-lived background process behind `berth start`. It
// boots the VM, connects the link, serves BERTH_HOME/docker.sock, forwards published ports, and
// reports each step to the event log. It ends when the VM ends, or stops the VM on SIGTERM.
import { rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { GUEST_ENGINE_SOCKET } from '../../../protocol/src/link.ts';
import type { BerthPaths } from '../home/berth-paths.ts';
import { HostKeyMismatchError, LinkClient } from '../link/link-client.ts';
import { SocketForwarder } from '../link/socket-forwarder.ts';
import { EngineClient } from '../ports/engine-client.ts';
import { PortForwarder } from '../ports/port-forwarder.ts';
import { GuestNat } from '../ports/guest-nat.ts';
import type { NatPath } from '../ports/nat-forward.ts';
import type { StartedVm, VmConfig, VmDriver } from '../vm/driver.ts';
import type { EventLog } from './event-log.ts';

export interface HostAgentOptions {
  home: BerthPaths;
  driver: VmDriver;
  config: VmConfig;
  privateKey: string;
  events: EventLog;
  bootTimeoutMs: number;
  log: (line: string) => void;
}

export class HostAgent {
  private link?: LinkClient;
  private socket?: SocketForwarder;
  private ports?: PortForwarder;
  private vm?: StartedVm;
  private stopping = false;

  constructor(private readonly o: HostAgentOptions) {}

  private progress(message: string): void {
    this.o.log(message);
    this.o.events.emit({ type: 'progress', message });
  }

  /** Runs until the VM ends; resolves with the process exit code. */
  async run(): Promise<number> {
    writeFileSync(this.o.home.hostAgentPid, `${process.pid}\n`);
    for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => void this.shutdown(`${sig}`));
    try {
      const vm = await this.bootVm();
      const deadline = Date.now() + this.o.bootTimeoutMs;
      this.link = await this.connectLink(vm.linkPort, deadline);
      await this.serveSocket();
      await this.waitEngine(deadline);
      this.o.events.emit({ type: 'ready', socket: this.o.home.dockerSocket, linkPort: vm.linkPort });
      this.o.log('ready');
      // Not on the ready path (setting up the guest's NAT table costs a process start in the
      // guest): the forwarder subscribes, then reconciles, so nothing started meanwhile is missed.
      this.forwardPorts().catch((err: Error) => this.o.log(`ports: ${err.message}`));
      const end = await vm.exited;
      await this.cleanup();
      this.o.events.emit({ type: 'exit', message: this.stopping ? 'VM stopped' : `VM exited (${end.code ?? end.signal})` });
      return this.stopping || end.code === 0 ? 0 : 1;
    } catch (err) {
      const message = (err as Error).message;
      this.o.log(`error: ${message}`);
      this.o.events.emit({ type: 'error', message });
      await this.shutdown('start failed', 1);
      return 1;
    }
  }

  private async bootVm(): Promise<StartedVm> {
    const { cpus, memoryMiB, diskGiB } = this.o.config;
    this.progress(`starting the VM (${cpus} CPUs, ${memoryMiB} MiB, ${diskGiB} GiB disk)`);
    this.vm = await this.o.driver.start(this.o.config, (l) => this.progress(l));
    this.vm.exited.then(() => {
      if (!this.stopping) this.o.log('the VM process ended');
    });
    this.progress('booting the guest');
    return this.vm;
  }

  private async connectLink(port: number, deadline: number): Promise<LinkClient> {
    let last = '';
    while (Date.now() < deadline) {
      if (this.stopping) throw new Error('stopped while booting');
      try {
        const link = await LinkClient.connect({ port, privateKey: this.o.privateKey, knownHostFile: this.o.home.knownHost, readyTimeoutMs: 5000 });
        link.on('error', (err: Error) => this.o.log(`link: ${err.message}`));
        link.on('close', () => void this.onLinkClosed(port));
        this.progress('link to the guest is up');
        return link;
      } catch (err) {
        if (err instanceof HostKeyMismatchError) throw err;
        last = (err as Error).message;
        await sleep(500);
      }
    }
    throw new Error(`the guest's link did not answer in ${Math.round(this.o.bootTimeoutMs / 1000)}s (last: ${last}); see ${this.o.home.serialLog}`);
  }

  /** The VM still runs but the link dropped (link service restarted): connect again. */
  private async onLinkClosed(port: number): Promise<void> {
    if (this.stopping) return;
    this.o.log('link closed; reconnecting');
    try {
      this.link = await this.connectLink(port, Date.now() + 60_000);
    } catch (err) {
      this.o.log(`link: ${(err as Error).message}`);
    }
  }

  private async serveSocket(): Promise<void> {
    this.socket = new SocketForwarder(this.o.home.dockerSocket, () => this.requireLink().openUnix(GUEST_ENGINE_SOCKET), (l) => this.o.log(l));
    await this.socket.listen();
  }

  private requireLink(): LinkClient {
    if (!this.link) throw new Error('the link is down');
    return this.link;
  }

  private async waitEngine(deadline: number): Promise<void> {
    this.progress('waiting for the engine');
    const engine = new EngineClient(this.o.home.dockerSocket);
    while (Date.now() < deadline) {
      if (await engine.ping()) return this.progress('the engine answers');
      await sleep(100);
    }
    throw new Error(`the engine in the VM did not answer /_ping in time; see ${this.o.home.serialLog}`);
  }

  private async forwardPorts(): Promise<void> {
    this.ports = new PortForwarder({
      engine: new EngineClient(this.o.home.dockerSocket),
      tunnel: {
        openTcp: (ip, port, from) => this.requireLink().openTcp(ip, port, from),
        exec: (cmd) => this.requireLink().exec(cmd),
      },
      nat: this.natPath(),
      log: (l) => this.o.log(l),
      onPort: (e) => this.o.events.emit(e),
    });
    await this.ports.start();
  }

  /** QEMU host forwards + DNAT in the guest, when the driver can add forwards while running. */
  private natPath(): NatPath | undefined {
    const driver = this.o.driver;
    if (!driver.features.dynamicPortForwarding || !driver.hostForward) return undefined;
    return {
      guest: new GuestNat({ exec: (cmd) => this.requireLink().exec(cmd) }),
      hostForward: (rule, on) => driver.hostForward!(rule, on),
    };
  }

  private async cleanup(): Promise<void> {
    this.stopping = true;
    await this.ports?.close({ vmGoing: true }).catch(() => {});
    await this.socket?.close().catch(() => {});
    this.link?.close();
    rmSync(this.o.home.hostAgentPid, { force: true });
  }

  async shutdown(why: string, code = 0): Promise<void> {
    if (this.stopping && code === 0) return;
    this.o.log(`stopping (${why})`);
    this.stopping = true;
    await this.cleanup();
    await this.o.driver.stop(30_000).catch((err: Error) => this.o.log(`stop: ${err.message}`));
    this.o.events.emit({ type: 'exit', message: `VM stopped (${why})` });
    process.exit(code);
  }
}
