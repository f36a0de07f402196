// The engine: opens the stores, probes the host (runtime, cgroups, network tools), recovers
// after a restart, and offers the operations the API layer calls. It knows nothing about HTTP.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ImageStore } from '../image/image-store.ts';
import { VolumeStore } from '../volume/volume-store.ts';
import { BridgeNetwork } from '../network/bridge-network.ts';
import { OciRuntime } from '../runtime/oci-runtime.ts';
import { ShimPool } from '../runtime/shim-pool.ts';
import { probeCgroups } from '../cgroups/cgroup-probe.ts';
import { capabilitiesInMask } from '../runtime/capabilities.ts';
import { hostCapabilityMask } from '../sys/host-caps.ts';
import { log } from '../log.ts';
import type { EngineContext, EngineOptions } from './context.ts';
import { ContainerStore } from './container-store.ts';
import { EventBus } from './event-bus.ts';
import { KeyedLock } from './keyed-lock.ts';
import { ExecService } from './exec-service.ts';
import { recoverContainers } from './recover.ts';
import { loadEngineConfig } from './engine-config.ts';
import { volumeUsers } from './container-remove.ts';
import type { ContainerRecord } from './types.ts';

const STANDBY_DELAY_MS = 1500;

export class Engine {
  readonly execs: ExecService;
  readonly startedAt = new Date();

  private constructor(readonly ctx: EngineContext) {
    this.execs = new ExecService(ctx);
  }

  static async open(opts: EngineOptions): Promise<Engine> {
    // Start-up phases are logged with their times: under TCG in the VM they are most of the boot.
    const t0 = performance.now();
    const ms: Record<string, number> = {};
    const lap = (name: string) => (ms[name] = Math.round(performance.now() - t0));
    await fs.mkdir(opts.dataRoot, { recursive: true, mode: 0o711 });
    await fs.mkdir(path.join(opts.execRoot, 'shims'), { recursive: true, mode: 0o700 });
    const events = new EventBus();
    const imageEvent = (action: string, id: string, attrs: Record<string, string>) => events.emit('image', action, id, attrs);
    // Independent of each other, so all at once: in the VM each costs a process start or several.
    const timed = <T>(name: string, p: Promise<T>) => p.then((v) => (lap(name), v));
    const [images, cgroups, runtime, volumes, network, hostCaps, containers, config] = await Promise.all([
      timed('images', ImageStore.open(opts.dataRoot, imageEvent)),
      probeCgroups(),
      timed('runtime', OciRuntime.probe(path.join(opts.execRoot, 'runtime'))),
      VolumeStore.open(path.join(opts.dataRoot, 'volumes'), (action, name) => events.emit('volume', action, name, { driver: 'local' })),
      timed('network', BridgeNetwork.setup({ bridge: opts.bridge, subnet: opts.subnet, stateDir: path.join(opts.dataRoot, 'network') })),
      hostCapabilityMask(),
      timed('containers', ContainerStore.open(path.join(opts.dataRoot, 'containers'))),
      loadEngineConfig(opts.configFile),
    ]);
    const lock = new KeyedLock();
    const ctx: EngineContext = {
      opts,
      images,
      snapshots: images.snapshots,
      volumes,
      network,
      runtime,
      cgroups,
      hostCaps: capabilitiesInMask(hostCaps),
      containers,
      events,
      registry: config.registry,
      shims: new Map(),
      shimPool: new ShimPool(opts.shimScript, path.join(opts.dataRoot, 'shim-standby')),
      waiters: new Map(),
      lock: (id, fn) => lock.run(id, fn),
    };
    const engine = new Engine(ctx);
    await recoverContainers(ctx);
    lap('recover');
    // The first standby shim starts a little later, so it does not slow the start-up itself.
    await ctx.shimPool.start(STANDBY_DELAY_MS);
    log.info('engine ready', { runtime: runtime.name, cgroup: cgroups.version, dataRoot: opts.dataRoot, startupMs: ms, processUptimeMs: Math.round(process.uptime() * 1000) });
    return engine;
  }

  /** Containers using an image, for rmi/prune conflict checks. */
  imageUsers(imageId: string): Array<{ id: string; running: boolean }> {
    return this.ctx.containers
      .list()
      .filter((c) => c.imageId === imageId)
      .map((c) => ({ id: c.id, running: c.state.status === 'running' || c.state.status === 'paused' || c.state.status === 'restarting' }));
  }

  volumeUsers(name: string): string[] {
    return volumeUsers(this.ctx, name);
  }

  /** Facts for `docker info` / `docker version`. */
  async info() {
    const list = this.ctx.containers.list();
    const count = (s: ContainerRecord['state']['status']) => list.filter((c) => c.state.status === s).length;
    return {
      containers: list.length,
      running: count('running'),
      paused: count('paused'),
      stopped: list.length - count('running') - count('paused'),
      images: this.ctx.images.list().length,
      runtime: this.ctx.runtime,
      cgroups: this.ctx.cgroups,
      dataRoot: this.ctx.opts.dataRoot,
      cpus: os.cpus().length,
      memory: os.totalmem(),
      hostname: os.hostname(),
      kernel: os.release(),
      os: await osName(),
      bridge: this.ctx.network,
    };
  }

  /** Release in-process resources; containers keep running under their shims (live-restore). */
  async close(): Promise<void> {
    this.ctx.shimPool.close();
    for (const conn of this.ctx.shims.values()) conn.close();
    this.ctx.shims.clear();
  }
}

async function osName(): Promise<string> {
  const text = await fs.readFile('/etc/os-release', 'utf8').catch(() => '');
  return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text)?.[1] ?? 'Linux';
}
