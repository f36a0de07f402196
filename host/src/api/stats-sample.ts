// Docker's stats JSON → one StatsSample, computed the way the docker CLI computes `docker stats`.
import type { StatsSample } from '../../../protocol/src/index.ts';
import type { DockerStats } from '../engine-client/docker-types.ts';

export function toStatsSample(s: DockerStats, now = Date.now()): StatsSample {
  const mem = s.memory_stats ?? {};
  let netRx = 0;
  let netTx = 0;
  for (const n of Object.values(s.networks ?? {})) {
    netRx += n.rx_bytes ?? 0;
    netTx += n.tx_bytes ?? 0;
  }
  let blockRead = 0;
  let blockWrite = 0;
  for (const e of s.blkio_stats?.io_service_bytes_recursive ?? []) {
    const op = e.op.toLowerCase();
    if (op === 'read') blockRead += e.value;
    else if (op === 'write') blockWrite += e.value;
  }
  const read = Date.parse(s.read);
  return {
    time: Number.isFinite(read) && read > 0 ? read : now,
    cpuPercent: cpuPercent(s),
    memoryUsage: memoryUsage(mem),
    memoryLimit: mem.limit ?? 0,
    netRx,
    netTx,
    blockRead,
    blockWrite,
    pids: s.pids_stats?.current ?? 0,
  };
}

/** The CLI's calculateCPUPercentUnix: the container's share of all host CPU time, × online CPUs. */
export function cpuPercent(s: DockerStats): number {
  const cur = s.cpu_stats;
  const pre = s.precpu_stats;
  const cpuDelta = (cur?.cpu_usage?.total_usage ?? 0) - (pre?.cpu_usage?.total_usage ?? 0);
  const systemDelta = (cur?.system_cpu_usage ?? 0) - (pre?.system_cpu_usage ?? 0);
  const online = cur?.online_cpus || cur?.cpu_usage?.percpu_usage?.length || 1;
  if (cpuDelta <= 0 || systemDelta <= 0) return 0;
  return (cpuDelta / systemDelta) * online * 100;
}

/** The CLI's calculateMemUsageUnixNoCache: usage minus inactive file cache (cgroup v1 or v2 key). */
export function memoryUsage(mem: NonNullable<DockerStats['memory_stats']>): number {
  const usage = mem.usage ?? 0;
  const st = mem.stats ?? {};
  const v1 = st.total_inactive_file;
  if (v1 !== undefined && v1 < usage) return usage - v1;
  const v2 = st.inactive_file;
  return v2 !== undefined && v2 < usage ? usage - v2 : usage;
}
