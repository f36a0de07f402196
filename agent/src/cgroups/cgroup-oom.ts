// How many times the kernel OOM-killed a process in a container's cgroup. Read by the shim after
// the container exits but before `runc delete` removes the cgroup, to set State.OOMKilled.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CGROUP_ROOT, type CgroupVersion } from './cgroup-probe.ts';

export function parseOomKill(text: string): number {
  const m = /^oom_kill (\d+)$/m.exec(text);
  return m ? Number(m[1]) : 0;
}

export async function readOomKillCount(cgroupsPath: string, version: CgroupVersion, root = CGROUP_ROOT): Promise<number> {
  const file = version === 2 ? path.join(root, cgroupsPath, 'memory.events') : path.join(root, 'memory', cgroupsPath, 'memory.oom_control');
  try {
    return parseOomKill(await fs.readFile(file, 'utf8'));
  } catch {
    return 0;
  }
}
