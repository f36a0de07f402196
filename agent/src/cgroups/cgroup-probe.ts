// Which cgroup layout the host has. Pure v2 (one unified mount with cgroup.controllers at the top)
// is what the VM runs; anything else is v1, possibly hybrid (v1 controllers plus a v2 mount at
// /sys/fs/cgroup/unified), which is this development host.
import { promises as fs } from 'node:fs';
import path from 'node:path';

export const CGROUP_ROOT = '/sys/fs/cgroup';

export type CgroupVersion = 1 | 2;

export interface CgroupInfo {
  version: CgroupVersion;
  driver: 'cgroupfs';
  /** v2: enabled controllers; v1: mounted controller hierarchies (co-mounts split). */
  controllers: string[];
  /** True when v1 and a v2 hierarchy are both mounted (hybrid). */
  hybrid: boolean;
}

const exists = (p: string) => fs.access(p).then(() => true, () => false);

export async function probeCgroups(root = CGROUP_ROOT): Promise<CgroupInfo> {
  if (await exists(path.join(root, 'cgroup.controllers'))) {
    const text = await fs.readFile(path.join(root, 'cgroup.controllers'), 'utf8');
    return { version: 2, driver: 'cgroupfs', controllers: text.trim().split(/\s+/).filter(Boolean), hybrid: false };
  }
  const entries = await fs.readdir(root, { withFileTypes: true }).catch(() => []);
  const controllers = new Set<string>();
  for (const e of entries) {
    if (!e.isDirectory() || e.name === 'unified' || e.name === 'systemd') continue;
    for (const c of e.name.split(',')) controllers.add(c);
  }
  return { version: 1, driver: 'cgroupfs', controllers: [...controllers].sort(), hybrid: await exists(path.join(root, 'unified', 'cgroup.controllers')) };
}

/**
 * Every directory a container's cgroup occupies: one on v2; on v1 one per mounted hierarchy
 * (controllers, name=systemd and the hybrid unified one — runc joins them all).
 */
export async function cgroupDirs(cgroupsPath: string, version: CgroupVersion, root = CGROUP_ROOT): Promise<string[]> {
  if (version === 2) return [path.join(root, cgroupsPath)];
  const entries = await fs.readdir(root, { withFileTypes: true }).catch(() => []);
  // Co-mounted controllers appear as a directory plus symlinks (cpu -> cpu,cpuacct); count it once.
  return entries.filter((e) => e.isDirectory()).map((e) => path.join(root, e.name, cgroupsPath));
}

/** Directory of one v1 controller (or the v2 group). */
export async function controllerDir(cgroupsPath: string, version: CgroupVersion, controller: string, root = CGROUP_ROOT): Promise<string> {
  if (version === 2) return path.join(root, cgroupsPath);
  return path.join(root, controller, cgroupsPath);
}
