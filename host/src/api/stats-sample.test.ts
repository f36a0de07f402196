import { describe, expect, it } from 'vitest';
import { cpuPercent, memoryUsage, toStatsSample } from './stats-sample.ts';
import type { DockerStats } from '../engine-client/docker-types.ts';

const sample = (over: Partial<DockerStats> = {}): DockerStats => ({
  read: '2025-01-02T03:04:05.5Z',
  cpu_stats: { cpu_usage: { total_usage: 3_000_000_000 }, system_cpu_usage: 20_000_000_000, online_cpus: 2 },
  precpu_stats: { cpu_usage: { total_usage: 1_000_000_000 }, system_cpu_usage: 10_000_000_000 },
  memory_stats: { usage: 100 * 1024 * 1024, limit: 2 * 1024 ** 3, stats: { inactive_file: 30 * 1024 * 1024 } },
  networks: { eth0: { rx_bytes: 1000, tx_bytes: 200 }, eth1: { rx_bytes: 5, tx_bytes: 7 } },
  blkio_stats: { io_service_bytes_recursive: [{ op: 'Read', value: 4096 }, { op: 'write', value: 8192 }, { op: 'read', value: 1 }, { op: 'Total', value: 99 }] },
  pids_stats: { current: 3 },
  ...over,
});

describe('stats like `docker stats`', () => {
  it('computes CPU % as the share of host CPU time × online CPUs', () => {
    // 2 s of container CPU in 10 s of system time on 2 CPUs = 40 %.
    expect(cpuPercent(sample())).toBeCloseTo(40);
  });

  it('falls back to the per-CPU list for the CPU count, and gives 0 when nothing moved', () => {
    const s = sample({ cpu_stats: { cpu_usage: { total_usage: 3e9, percpu_usage: [1, 2, 3, 4] }, system_cpu_usage: 2e10 } });
    expect(cpuPercent(s)).toBeCloseTo(80);
    expect(cpuPercent(sample({ precpu_stats: { cpu_usage: { total_usage: 0 }, system_cpu_usage: 0 } }))).toBeGreaterThan(0);
    expect(cpuPercent(sample({ precpu_stats: sample().cpu_stats }))).toBe(0);
  });

  it('subtracts inactive file cache from memory (cgroup v1 key first, then v2)', () => {
    expect(memoryUsage({ usage: 1000, stats: { inactive_file: 300 } })).toBe(700);
    expect(memoryUsage({ usage: 1000, stats: { total_inactive_file: 100, inactive_file: 300 } })).toBe(900);
    expect(memoryUsage({ usage: 1000, stats: { total_inactive_file: 5000, inactive_file: 300 } })).toBe(700);
    expect(memoryUsage({ usage: 1000, stats: { inactive_file: 5000 } })).toBe(1000);
    expect(memoryUsage({ usage: 1000 })).toBe(1000);
  });

  it('sums networks and block I/O by operation and takes time from `read`', () => {
    const s = toStatsSample(sample());
    expect(s).toMatchObject({ netRx: 1005, netTx: 207, blockRead: 4097, blockWrite: 8192, pids: 3, memoryUsage: 70 * 1024 * 1024, memoryLimit: 2 * 1024 ** 3 });
    expect(s.time).toBe(Date.parse('2025-01-02T03:04:05.5Z'));
  });

  it('copes with a stopped container (empty sections)', () => {
    const s = toStatsSample({ read: '0001-01-01T00:00:00Z', memory_stats: {}, blkio_stats: { io_service_bytes_recursive: null } }, 42);
    expect(s).toEqual({ time: 42, cpuPercent: 0, memoryUsage: 0, memoryLimit: 0, netRx: 0, netTx: 0, blockRead: 0, blockWrite: 0, pids: 0 });
  });
});
