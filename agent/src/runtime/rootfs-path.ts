// Resolves a path inside a container rootfs the way the container would see it: symlinks are
// followed but interpreted relative to the rootfs, and `..` stops at its top (like Go's
// securejoin), so an image cannot make the engine read or write host files.
import { promises as fs } from 'node:fs';
import path from 'node:path';

const MAX_LINKS = 255;

export async function resolveInRootfs(root: string, unsafePath: string): Promise<string> {
  const done: string[] = [];
  let pending = unsafePath.split('/').filter(Boolean);
  let links = 0;
  while (pending.length) {
    const seg = pending.shift()!;
    if (seg === '.') continue;
    if (seg === '..') {
      done.pop();
      continue;
    }
    const full = path.join(root, ...done, seg);
    const st = await fs.lstat(full).catch(() => undefined);
    if (!st?.isSymbolicLink()) {
      done.push(seg);
      continue;
    }
    if (++links > MAX_LINKS) throw Object.assign(new Error(`too many levels of symbolic links: ${unsafePath}`), { code: 'ELOOP' });
    const target = await fs.readlink(full);
    if (target.startsWith('/')) done.length = 0;
    pending = [...target.split('/').filter(Boolean), ...pending];
  }
  return path.join(root, ...done);
}
