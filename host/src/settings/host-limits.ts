// What the host has, which bounds the VM's resources: CPUs, memory, and the size of the disk
// that holds BERTH_HOME (where the VM's data disk lives).
import { statfsSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HostLimits } from '../../../protocol/src/index.ts';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

export function hostLimits(home: string): HostLimits {
  return {
    cpus: Math.max(1, os.availableParallelism?.() ?? os.cpus().length),
    memoryMb: Math.floor(os.totalmem() / MIB),
    diskGb: diskSizeGb(home),
  };
}

function diskSizeGb(dir: string): number {
  let d = path.resolve(dir);
  while (!existsSync(d) && path.dirname(d) !== d) d = path.dirname(d);
  try {
    const s = statfsSync(d);
    return Math.floor((s.blocks * s.bsize) / GIB);
  } catch {
    return 64;
  }
}
