// Builds the OCI runtime spec for a container: a pure function of its inputs, following what
// dockerd writes (moby oci/defaults.go + daemon/oci_linux.go) so containers see the same /dev,
// /proc, /sys, capabilities and limits they would under Docker.
import { capabilitySet } from './capabilities.ts';
import type { OciDevice, OciDeviceCgroup, OciMount, OciNamespace, OciResources, OciRlimit, OciSpec } from './oci-spec-types.ts';

export type NetworkNamespace = { mode: 'host' } | { mode: 'none' } | { mode: 'path'; path: string };

export interface SpecMount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

export interface SpecResources {
  memory?: number;
  /** Memory + swap, as Docker's MemorySwap: unset/0 → 2×memory, -1 → unlimited. */
  memorySwap?: number;
  memoryReservation?: number;
  nanoCpus?: number;
  cpuShares?: number;
  cpuQuota?: number;
  cpuPeriod?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  pidsLimit?: number;
}

export interface SpecInput {
  rootfs: string;
  readonlyRootfs: boolean;
  args: string[];
  env: string[];
  cwd: string;
  user: { uid: number; gid: number; additionalGids: number[] };
  tty: boolean;
  consoleSize?: { cols: number; rows: number };
  openStdin: boolean;
  /** Unset = the container keeps the UTS name it starts with (host network mode). */
  hostname?: string;
  capAdd: string[];
  capDrop: string[];
  privileged: boolean;
  /** The engine's own bounding set: nothing beyond it is asked for. */
  bounding?: string[];
  network: NetworkNamespace;
  /** Namespace paths to join instead of creating (`--ipc container:x`, `--pid host` = 'host'). */
  ipc?: { mode: 'private' } | { mode: 'host' } | { mode: 'path'; path: string };
  pid?: { mode: 'private' } | { mode: 'host' } | { mode: 'path'; path: string };
  mounts: SpecMount[];
  cgroupsPath: string;
  resources: SpecResources;
  oomScoreAdj?: number;
  sysctls?: Record<string, string>;
  init?: boolean;
  /** Host path of the init binary bound to /sbin/docker-init. */
  initPath?: string;
  /**
   * Explicit limits, never above the host's (sys/host-limits.ts): asking for more fails without
   * CAP_SYS_RESOURCE. Unset = the container inherits the runtime's, i.e. the host's, limits.
   */
  rlimits?: OciRlimit[];
  /** Host device nodes, used only when privileged (see host-devices.ts). */
  hostDevices?: OciDevice[];
  /** False when the host has no memsw accounting: then swap is not limited, as Docker does. */
  swapLimitSupported?: boolean;
  shmSize?: number;
}

export const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;
export const INIT_DESTINATION = '/sbin/docker-init';

export const MASKED_PATHS = [
  '/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];
export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

function defaultMounts(privileged: boolean, shmSize: number): OciMount[] {
  const ro = privileged ? [] : ['ro'];
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', ...ro] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', ...ro] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${shmSize}`] },
  ];
}

// runc creates null/zero/full/random/urandom/tty itself; this is the cgroup allow-list dockerd sets.
const allow = (type: 'c' | 'b', major: number | undefined, minor: number | undefined, access = 'rwm'): OciDeviceCgroup =>
  ({ allow: true, type, ...(major === undefined ? {} : { major }), ...(minor === undefined ? {} : { minor }), access });

export const DEFAULT_DEVICE_RULES: OciDeviceCgroup[] = [
  { allow: false, access: 'rwm' },
  allow('c', undefined, undefined, 'm'),
  allow('b', undefined, undefined, 'm'),
  allow('c', 1, 3), allow('c', 1, 8), allow('c', 1, 7), allow('c', 5, 0), allow('c', 1, 5), allow('c', 1, 9),
  allow('c', 136, undefined), allow('c', 5, 2), allow('c', 5, 1),
];

/** User mounts replace defaults at the same place and are applied parents first. */
function buildMounts(input: SpecInput): OciMount[] {
  const user = input.mounts.map((m) => ({ destination: cleanPath(m.destination), type: m.type, source: m.source, options: [...m.options] }));
  if (input.init) {
    user.push({ destination: INIT_DESTINATION, type: 'bind', source: input.initPath ?? '/usr/bin/docker-init', options: ['rbind', 'ro'] });
  }
  const taken = new Set(user.map((m) => m.destination));
  const defaults = defaultMounts(input.privileged, input.shmSize ?? DEFAULT_SHM_SIZE).filter((m) => !taken.has(m.destination));
  const depth = (p: string) => (p === '/' ? 0 : p.split('/').length - 1);
  const sorted = user.map((m, i) => ({ m, i })).sort((a, b) => depth(a.m.destination) - depth(b.m.destination) || a.i - b.i);
  return [...defaults, ...sorted.map((x) => x.m)];
}

function cleanPath(p: string): string {
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return '/' + parts.join('/');
}

function buildNamespaces(input: SpecInput): OciNamespace[] {
  const ns: OciNamespace[] = [{ type: 'mount' }, { type: 'uts' }, { type: 'cgroup' }];
  const joinable = (type: 'pid' | 'ipc', mode: SpecInput['pid']) => {
    if (!mode || mode.mode === 'private') ns.push({ type });
    else if (mode.mode === 'path') ns.push({ type, path: mode.path });
  };
  joinable('pid', input.pid);
  joinable('ipc', input.ipc);
  if (input.network.mode === 'none') ns.push({ type: 'network' });
  else if (input.network.mode === 'path') ns.push({ type: 'network', path: input.network.path });
  return ns;
}

export function buildResources(r: SpecResources, privileged: boolean, swapLimitSupported = true): OciResources {
  const out: OciResources = { devices: privileged ? [{ allow: true, access: 'rwm' }] : DEFAULT_DEVICE_RULES.map((d) => ({ ...d })) };
  if (r.memory && r.memory > 0) {
    out.memory = { limit: r.memory };
    if (swapLimitSupported) {
      if (r.memorySwap === -1) out.memory.swap = -1;
      else if (r.memorySwap && r.memorySwap > 0) out.memory.swap = r.memorySwap;
      else out.memory.swap = r.memory * 2;
    }
  }
  if (r.memoryReservation && r.memoryReservation > 0) out.memory = { ...out.memory, reservation: r.memoryReservation };
  const cpu: NonNullable<OciResources['cpu']> = {};
  if (r.cpuShares) cpu.shares = r.cpuShares;
  if (r.nanoCpus && r.nanoCpus > 0) {
    cpu.period = 100000;
    cpu.quota = Math.round((r.nanoCpus * cpu.period) / 1e9);
  } else {
    if (r.cpuPeriod) cpu.period = r.cpuPeriod;
    if (r.cpuQuota) cpu.quota = r.cpuQuota;
  }
  if (r.cpusetCpus) cpu.cpus = r.cpusetCpus;
  if (r.cpusetMems) cpu.mems = r.cpusetMems;
  if (Object.keys(cpu).length) out.cpu = cpu;
  if (r.pidsLimit && r.pidsLimit > 0) out.pids = { limit: r.pidsLimit };
  return out;
}

export function buildSpec(input: SpecInput): OciSpec {
  const caps = capabilitySet(input);
  const args = input.init ? [INIT_DESTINATION, '--', ...input.args] : [...input.args];
  const spec: OciSpec = {
    ociVersion: '1.0.2',
    process: {
      terminal: input.tty,
      ...(input.tty && input.consoleSize ? { consoleSize: { height: input.consoleSize.rows, width: input.consoleSize.cols } } : {}),
      user: { uid: input.user.uid, gid: input.user.gid, additionalGids: [...input.user.additionalGids] },
      args,
      env: [...input.env],
      cwd: input.cwd || '/',
      capabilities: { bounding: caps, effective: [...caps], permitted: [...caps] },
      ...(input.rlimits?.length ? { rlimits: input.rlimits.map((r) => ({ ...r })) } : {}),
      noNewPrivileges: false,
      ...(input.oomScoreAdj !== undefined ? { oomScoreAdj: input.oomScoreAdj } : {}),
    },
    root: { path: input.rootfs, readonly: input.readonlyRootfs },
    ...(input.hostname ? { hostname: input.hostname } : {}),
    mounts: buildMounts(input),
    linux: {
      namespaces: buildNamespaces(input),
      cgroupsPath: input.cgroupsPath,
      resources: buildResources(input.resources, input.privileged, input.swapLimitSupported),
      maskedPaths: input.privileged ? [] : [...MASKED_PATHS],
      readonlyPaths: input.privileged ? [] : [...READONLY_PATHS],
    },
  };
  if (input.privileged && input.hostDevices?.length) spec.linux.devices = input.hostDevices.map((d) => ({ ...d }));
  if (input.sysctls && Object.keys(input.sysctls).length) spec.linux.sysctl = { ...input.sysctls };
  return spec;
}
