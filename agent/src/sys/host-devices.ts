// Device nodes under the host's /dev, for privileged containers (Docker gives them every one).
import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface HostDevice {
  path: string;
  type: 'c' | 'b';
  major: number;
  minor: number;
  fileMode: number;
  uid: number;
  gid: number;
}

// Linux dev_t encoding (glibc major()/minor()).
const major = (rdev: number) => ((rdev >>> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff);
const minor = (rdev: number) => (rdev & 0xff) | ((rdev >>> 12) & ~0xff);

// Skipped like moby's devices.HostDevices: pts and shm are the container's own; console is set up by runc.
const skip = new Set(['/dev/pts', '/dev/shm', '/dev/mqueue', '/dev/console', '/dev/ptmx']);

export async function hostDevices(root = '/dev'): Promise<HostDevice[]> {
  const out: HostDevice[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const ent of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(dir, ent.name);
      if (skip.has(p)) continue;
      if (ent.isDirectory()) await walk(p);
      else if (ent.isCharacterDevice() || ent.isBlockDevice()) {
        const st = await fs.lstat(p).catch(() => undefined);
        if (!st) continue;
        out.push({
          path: p, type: ent.isCharacterDevice() ? 'c' : 'b', major: major(st.rdev), minor: minor(st.rdev),
          fileMode: st.mode & 0o7777, uid: st.uid, gid: st.gid,
        });
      }
    }
  };
  await walk(root);
  return out;
}
