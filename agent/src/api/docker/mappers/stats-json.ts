// Engine stats → Docker's stats JSON (snake_case, as the API defines it). The previous sample
// becomes precpu_stats so clients can compute CPU %.
import type { ContainerRecord } from '../../../engine/types.ts';
import type { ContainerStats } from '../../../engine/container-stats.ts';

export interface StatsJson {
  read: string;
  preread: string;
  cpu_stats: CpuJson;
  precpu_stats: CpuJson;
  [k: string]: unknown;
}

interface CpuJson {
  cpu_usage: { total_usage: number; usage_in_kernelmode: number; usage_in_usermode: number; percpu_usage?: number[] };
  system_cpu_usage?: number;
  online_cpus?: number;
  throttling_data: { periods: number; throttled_periods: number; throttled_time: number };
}

const zeroCpu = (): CpuJson => ({
  cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
  throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
});

export function statsJson(rec: ContainerRecord, s: ContainerStats, prev: StatsJson | undefined): StatsJson {
  const g = s.cgroup;
  const cpu: CpuJson = g
    ? {
        cpu_usage: { total_usage: g.cpuUsageNs, usage_in_kernelmode: 0, usage_in_usermode: 0, ...(g.perCpuNs ? { percpu_usage: g.perCpuNs } : {}) },
        system_cpu_usage: g.systemCpuNs,
        online_cpus: g.onlineCpus,
        throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
      }
    : zeroCpu();
  const blk = (op: string, value: number) => ({ major: 0, minor: 0, op, value });
  return {
    read: s.read,
    preread: prev?.read ?? '0001-01-01T00:00:00Z',
    pids_stats: g ? { current: g.pidsCurrent, ...(g.pidsLimit ? { limit: g.pidsLimit } : {}) } : {},
    blkio_stats: { io_service_bytes_recursive: g ? [blk('read', g.blkioRead), blk('write', g.blkioWrite)] : null },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpu,
    precpu_stats: prev?.cpu_stats ?? zeroCpu(),
    memory_stats: g ? { usage: g.memoryUsage, stats: g.memoryStats, limit: g.memoryLimit } : {},
    name: `/${rec.name}`,
    id: rec.id,
    networks: Object.fromEntries(
      Object.entries(s.networks).map(([k, n]) => [
        k,
        { rx_bytes: n.rxBytes, rx_packets: n.rxPackets, rx_errors: n.rxErrors, rx_dropped: n.rxDropped, tx_bytes: n.txBytes, tx_packets: n.txPackets, tx_errors: n.txErrors, tx_dropped: n.txDropped },
      ]),
    ),
  };
}
