// What every engine operation works with. Built once by Engine.open; passed to the step
// functions so each stays a plain function over explicit dependencies.
import type { ImageStore } from '../image/image-store.ts';
import type { Snapshotter } from '../store/snapshotter.ts';
import type { VolumeStore } from '../volume/volume-store.ts';
import type { BridgeNetwork } from '../network/bridge-network.ts';
import type { OciRuntime } from '../runtime/oci-runtime.ts';
import type { ShimConnection } from '../runtime/shim-client.ts';
import type { ShimPool } from '../runtime/shim-pool.ts';
import type { CgroupInfo } from '../cgroups/cgroup-probe.ts';
import type { ContainerStore } from './container-store.ts';
import type { EventBus } from './event-bus.ts';
import type { RegistryConfig } from '../image/registry/registry-config.ts';

export interface EngineOptions {
  dataRoot: string;
  /** Short path for sockets and runtime state (unix socket paths are limited to 108 bytes). */
  execRoot: string;
  bridge: string;
  subnet: string;
  /** Bundled shim entry (dist/shim.mjs). */
  shimScript: string;
  /** daemon.json-style configuration (registry settings); missing = defaults. */
  configFile?: string;
}

export interface EngineContext {
  opts: EngineOptions;
  images: ImageStore;
  snapshots: Snapshotter;
  volumes: VolumeStore;
  network: BridgeNetwork;
  runtime: OciRuntime;
  cgroups: CgroupInfo;
  /** Capabilities the engine itself holds; containers get at most these. */
  hostCaps: string[];
  containers: ContainerStore;
  events: EventBus;
  registry: RegistryConfig;
  /** Live shim connections of running containers, by container ID. */
  shims: Map<string, ShimConnection>;
  /** A shim started ahead of time for the next container start. */
  shimPool: ShimPool;
  /** Resolvers waiting for a container's next exit or removal, by container ID. */
  waiters: Map<string, Set<(code: number) => void>>;
  /** Serialises state changes per container (start/stop/remove must not interleave). */
  lock: <T>(id: string, fn: () => Promise<T>) => Promise<T>;
}
