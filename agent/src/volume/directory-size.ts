// Disk usage of a tree the way Docker's `system df` counts it: the sizes of everything but
// directories, each hard-linked inode once, symlinks not followed.
import path from 'node:path';
import { promises as fs } from 'node:fs';

export async function directorySize(root: string): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (e) {
      // Entries can vanish while a container writes; a missing root is simply empty.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    for (const entry of entries) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        stack.push(p);
        continue;
      }
      const st = await fs.lstat(p, { bigint: true }).catch(() => undefined);
      if (!st) continue;
      if (st.nlink > 1n) {
        const key = `${st.dev}:${st.ino}`;
        if (seen.has(key)) continue;
        seen.add(key);
      }
      total += Number(st.size);
    }
  }
  return total;
}
