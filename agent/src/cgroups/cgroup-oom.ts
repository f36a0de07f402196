// How many times the kernel OOM-killed a process in a container's cgroup. Read by the shim after
// the container exits but before `runc delete` removes the cgroup, to set State.OOMKilled.
import { promises as fs, watch } from 'node:fs';
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

/**
 * Follows the OOM counter while the container runs, for runtimes that remove the cgroup as soon
 * as the process exits (crun has no `run --keep`). cgroup v2 notifies inotify watchers when
 * memory.events changes, so the last value seen before removal is the final one.
 */
export function watchOomKillCount(cgroupsPath: string, version: CgroupVersion, root = CGROUP_ROOT): { latest(): number; close(): void } {
  let count = 0;
  const refresh = () =>
    void readOomKillCount(cgroupsPath, version, root).then((n) => {
      count = Math.max(count, n);
    });
  refresh();
  const file = version === 2 ? path.join(root, cgroupsPath, 'memory.events') : path.join(root, 'memory', cgroupsPath, 'memory.oom_control');
  let watcher: ReturnType<typeof watch> | undefined;
  try {
    watcher = watch(file, { persistent: false }, refresh);
    watcher.on('error', () => undefined);
  } catch {
    // No cgroup file (limits not set): nothing to follow.
  }
  return { latest: () => count, close: () => watcher?.close() };
}
