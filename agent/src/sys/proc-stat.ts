// Host-wide CPU and memory figures from /proc, for container stats (Docker's system_cpu_usage,
// online_cpus and the memory limit of an unlimited container).
import { promises as fs } from 'node:fs';

// USER_HZ is 100 on every Linux architecture we ship for.
const NS_PER_TICK = 1e7;

export interface ProcStat {
  /** Sum of all CPU time on the host, in nanoseconds (Docker's system_cpu_usage). */
  systemCpuNs: number;
  onlineCpus: number;
}

export function parseProcStat(text: string): ProcStat {
  let systemCpuNs = 0;
  let onlineCpus = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('cpu ')) {
      const ticks = line.trim().split(/\s+/).slice(1, 8).map(Number);
      systemCpuNs = ticks.reduce((a, b) => a + b, 0) * NS_PER_TICK;
    } else if (/^cpu\d+ /.test(line)) onlineCpus++;
  }
  return { systemCpuNs, onlineCpus };
}

export async function procStat(): Promise<ProcStat> {
  return parseProcStat(await fs.readFile('/proc/stat', 'utf8'));
}

export async function hostMemoryTotal(): Promise<number> {
  const text = await fs.readFile('/proc/meminfo', 'utf8');
  const m = /^MemTotal:\s+(\d+) kB/m.exec(text);
  return m ? Number(m[1]) * 1024 : 0;
}
