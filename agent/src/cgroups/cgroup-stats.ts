// A container's resource usage from its cgroup files, v1 (per-controller hierarchies) or v2, in
// one camelCase shape; api/docker maps it onto Docker's stats JSON.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { hostMemoryTotal, procStat } from '../sys/proc-stat.ts';
import { CGROUP_ROOT, type CgroupVersion } from './cgroup-probe.ts';

export interface BlkioEntry {
  major: number;
  minor: number;
  op: 'read' | 'write';
  bytes: number;
}

export interface CgroupStats {
  cpuUsageNs: number;
  cpuUserNs: number;
  cpuSystemNs: number;
  perCpuNs?: number[];
  systemCpuNs: number;
  onlineCpus: number;
  throttling: { periods: number; throttledPeriods: number; throttledTimeNs: number };
  memoryUsage: number;
  memoryMaxUsage?: number;
  /** The limit, or the host's total memory when the container has none (as Docker reports). */
  memoryLimit: number;
  memoryFailcnt?: number;
  memoryStats: Record<string, number>;
  pidsCurrent: number;
  pidsLimit?: number;
  blkioRead: number;
  blkioWrite: number;
  blkio: BlkioEntry[];
}

// v1 reports "no limit" as PAGE_COUNTER_MAX pages (~2^63); anything above 2^62 is unlimited.
const UNLIMITED = 2 ** 62;

async function read(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

async function num(file: string): Promise<number | undefined> {
  const t = (await read(file))?.trim();
  if (t === undefined || t === '' || t === 'max') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

export function parseKeyValues(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (text ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^\d+$/.test(v)) out[k] = Number(v);
  }
  return out;
}

export function parseBlkioV1(text: string | undefined): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  for (const line of (text ?? '').split('\n')) {
    const m = /^(\d+):(\d+) (Read|Write) (\d+)$/.exec(line.trim());
    if (m) out.push({ major: Number(m[1]), minor: Number(m[2]), op: m[3] === 'Read' ? 'read' : 'write', bytes: Number(m[4]) });
  }
  return out;
}

export function parseIoStatV2(text: string | undefined): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  for (const line of (text ?? '').split('\n')) {
    const m = /^(\d+):(\d+) (.*)$/.exec(line.trim());
    if (!m) continue;
    const kv = Object.fromEntries(m[3].split(' ').map((p) => p.split('=')));
    const dev = { major: Number(m[1]), minor: Number(m[2]) };
    out.push({ ...dev, op: 'read', bytes: Number(kv.rbytes ?? 0) }, { ...dev, op: 'write', bytes: Number(kv.wbytes ?? 0) });
  }
  return out;
}

const sum = (entries: BlkioEntry[], op: BlkioEntry['op']) => entries.filter((e) => e.op === op).reduce((a, e) => a + e.bytes, 0);

async function readV1(p: string, root: string): Promise<Omit<CgroupStats, 'systemCpuNs' | 'onlineCpus'>> {
  const dir = (c: string, f: string) => path.join(root, c, p, f);
  const [usage, percpu, cpuacctStat, cpuStat, memUsage, memMax, memLimit, failcnt, memStat, pids, pidsMax, blk] = await Promise.all([
    num(dir('cpuacct', 'cpuacct.usage')), read(dir('cpuacct', 'cpuacct.usage_percpu')), read(dir('cpuacct', 'cpuacct.stat')),
    read(dir('cpu', 'cpu.stat')), num(dir('memory', 'memory.usage_in_bytes')), num(dir('memory', 'memory.max_usage_in_bytes')),
    num(dir('memory', 'memory.limit_in_bytes')), num(dir('memory', 'memory.failcnt')), read(dir('memory', 'memory.stat')),
    num(dir('pids', 'pids.current')), num(dir('pids', 'pids.max')), read(dir('blkio', 'blkio.throttle.io_service_bytes_recursive')),
  ]);
  const ticks = parseKeyValues(cpuacctStat);
  const thr = parseKeyValues(cpuStat);
  const blkio = parseBlkioV1(blk);
  return {
    cpuUsageNs: usage ?? 0,
    cpuUserNs: (ticks.user ?? 0) * 1e7,
    cpuSystemNs: (ticks.system ?? 0) * 1e7,
    perCpuNs: percpu?.trim().split(/\s+/).filter(Boolean).map(Number),
    throttling: { periods: thr.nr_periods ?? 0, throttledPeriods: thr.nr_throttled ?? 0, throttledTimeNs: thr.throttled_time ?? 0 },
    memoryUsage: memUsage ?? 0,
    memoryMaxUsage: memMax,
    memoryLimit: memLimit !== undefined && memLimit < UNLIMITED ? memLimit : 0,
    memoryFailcnt: failcnt,
    memoryStats: parseKeyValues(memStat),
    pidsCurrent: pids ?? 0,
    pidsLimit: pidsMax,
    blkioRead: sum(blkio, 'read'),
    blkioWrite: sum(blkio, 'write'),
    blkio,
  };
}

async function readV2(p: string, root: string): Promise<Omit<CgroupStats, 'systemCpuNs' | 'onlineCpus'>> {
  const f = (name: string) => path.join(root, p, name);
  const [cpuStat, memCur, memPeak, memMax, memStat, pids, pidsMax, io] = await Promise.all([
    read(f('cpu.stat')), num(f('memory.current')), num(f('memory.peak')), num(f('memory.max')), read(f('memory.stat')),
    num(f('pids.current')), num(f('pids.max')), read(f('io.stat')),
  ]);
  const cpu = parseKeyValues(cpuStat);
  const blkio = parseIoStatV2(io);
  return {
    cpuUsageNs: (cpu.usage_usec ?? 0) * 1000,
    cpuUserNs: (cpu.user_usec ?? 0) * 1000,
    cpuSystemNs: (cpu.system_usec ?? 0) * 1000,
    throttling: { periods: cpu.nr_periods ?? 0, throttledPeriods: cpu.nr_throttled ?? 0, throttledTimeNs: (cpu.throttled_usec ?? 0) * 1000 },
    memoryUsage: memCur ?? 0,
    memoryMaxUsage: memPeak,
    memoryLimit: memMax ?? 0,
    memoryStats: parseKeyValues(memStat),
    pidsCurrent: pids ?? 0,
    pidsLimit: pidsMax,
    blkioRead: sum(blkio, 'read'),
    blkioWrite: sum(blkio, 'write'),
    blkio,
  };
}

export async function readStats(cgroupsPath: string, version: CgroupVersion, root = CGROUP_ROOT): Promise<CgroupStats> {
  const [stats, sys, memTotal] = await Promise.all([
    version === 2 ? readV2(cgroupsPath, root) : readV1(cgroupsPath, root), procStat(), hostMemoryTotal(),
  ]);
  return {
    ...stats,
    memoryLimit: stats.memoryLimit > 0 ? stats.memoryLimit : memTotal,
    systemCpuNs: sys.systemCpuNs,
    onlineCpus: sys.onlineCpus,
  };
}
