// Removes a container's cgroup directories in every hierarchy. Runtimes delete the leaf at best
// and leave the parents they created (`/berth`) behind; we remove the parent only once empty.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CGROUP_ROOT, cgroupDirs, type CgroupVersion } from './cgroup-probe.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// A cgroup whose last task just died can report EBUSY for a moment.
async function rmdirRetry(dir: string, attempts: number): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    try {
      await fs.rmdir(dir);
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return true;
      if (code !== 'EBUSY' || i === attempts - 1) return false;
      await sleep(20);
    }
  }
  return false;
}

/** Returns the directories that could not be removed (still holding processes). */
export async function removeCgroup(cgroupsPath: string, cg: CgroupVersion | { version: CgroupVersion }, root = CGROUP_ROOT): Promise<string[]> {
  const version = typeof cg === 'number' ? cg : cg.version;
  const leftover: string[] = [];
  const parentName = path.dirname(cgroupsPath);
  for (const dir of await cgroupDirs(cgroupsPath, version, root)) {
    if (!(await rmdirRetry(dir, 10))) {
      leftover.push(dir);
      continue;
    }
    if (parentName === '/berth') await rmdirRetry(path.dirname(dir), 1);
  }
  return leftover;
}
