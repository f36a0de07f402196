// docker stats and docker top: read from the container's cgroup and network namespace.
import { conflict } from '../errors.ts';
import { readStats, type CgroupStats } from '../cgroups/cgroup-stats.ts';
import { readNetDev } from '../network/net-stats.ts';
import { exec } from '../sys/exec.ts';
import type { EngineContext } from './context.ts';
import type { ContainerRecord } from './types.ts';
import { cgroupsPath } from './container-start.ts';

export interface ContainerStats {
  read: string;
  cgroup: CgroupStats | null;
  networks: Awaited<ReturnType<typeof readNetDev>>;
}

export async function containerStats(ctx: EngineContext, rec: ContainerRecord): Promise<ContainerStats> {
  const live = rec.state.status === 'running' || rec.state.status === 'paused';
  if (!live) return { read: new Date().toISOString(), cgroup: null, networks: {} };
  const [cgroup, networks] = await Promise.all([
    readStats(cgroupsPath(rec.id), ctx.cgroups.version).catch(() => null),
    rec.spec.host.networkMode === 'host' ? Promise.resolve({}) : readNetDev(rec.state.pid).catch(() => ({})),
  ]);
  return { read: new Date().toISOString(), cgroup, networks };
}

/** `ps` over the container's processes, as Docker does (default `-ef`). */
export async function containerTop(ctx: EngineContext, rec: ContainerRecord, psArgs: string): Promise<{ titles: string[]; processes: string[][] }> {
  if (rec.state.status !== 'running' && rec.state.status !== 'paused') {
    throw conflict(`container ${rec.id} is not running`);
  }
  const pids = new Set(await ctx.runtime.ps(rec.id));
  const args = (psArgs || '-ef').split(/\s+/).filter(Boolean);
  const { stdout } = await exec('ps', args);
  const lines = stdout.trimEnd().split('\n');
  const titles = lines[0].trim().split(/\s+/);
  const pidCol = titles.indexOf('PID');
  const processes: string[][] = [];
  for (const line of lines.slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (pidCol >= 0 && !pids.has(Number(fields[pidCol]))) continue;
    // The last column (CMD/COMMAND) may contain spaces: keep it whole.
    processes.push([...fields.slice(0, titles.length - 1), fields.slice(titles.length - 1).join(' ')]);
  }
  return { titles, processes };
}
