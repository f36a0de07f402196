// Writes layer tar entries into one directory without ever writing outside it. Every parent
// component is resolved inside the root by hand (lstat, never following a symlink that leads
// out), final components are never followed, and work that needs a helper program (device nodes,
// xattrs) is batched and re-checked before it runs.
import { constants, promises as fs } from 'node:fs';
import type { Readable } from 'node:stream';
import path from 'node:path';
import { invalid } from '../errors.ts';
import { makeNodes, type DeviceNode } from '../sys/mknod.ts';
import { setXattrs, type Xattr } from '../sys/xattr.ts';

export interface EntryHeader {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: Date;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  pax?: Record<string, string>;
}

const whiteoutPrefix = '.wh.';
const opaqueMarker = '.wh..wh..opq';
const maxSymlinkHops = 40;

/** Splits a tar name into components: leading `/` stripped (like tar), `..` refused. */
export function entryComponents(name: string): string[] {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw invalid(`invalid tar entry "${name}": path would escape the layer`);
  return parts;
}

interface Meta {
  path: string;
  uid: number;
  gid: number;
  mode: number;
  mtime: Date;
}

export class LayerTreeWriter {
  private nodes = new Map<string, DeviceNode & { meta?: Meta }>();
  private xattrs: Xattr[] = [];
  private readonly dirTimes: Meta[] = [];
  /** Sum of regular file sizes, what Docker reports as a layer's size. */
  size = 0;

  constructor(readonly root: string) {}

  async write(h: EntryHeader, body: Readable): Promise<void> {
    const parts = entryComponents(h.name);
    if (parts.length === 0) return; // the root itself keeps the snapshot's own metadata
    const base = parts[parts.length - 1];
    if (base.startsWith(whiteoutPrefix)) return this.whiteout(h, parts, base);
    const parent = await this.resolveDir(parts.slice(0, -1), h.name);
    const target = path.join(parent, base);
    if (this.nodes.has(target)) await this.flush();
    switch (h.type) {
      case 'directory':
        return this.directory(h, target);
      case 'file':
      case 'contiguous-file':
        return this.file(h, target, body);
      case 'symlink':
        await this.replace(target);
        await fs.symlink(h.linkname ?? '', target);
        await fs.lchown(target, h.uid, h.gid);
        await fs.lutimes(target, h.mtime, h.mtime);
        return;
      case 'link':
        return this.hardlink(h, target);
      case 'character-device':
      case 'block-device':
      case 'fifo':
        await this.replace(target);
        this.nodes.set(target, {
          path: target,
          kind: h.type === 'fifo' ? 'fifo' : h.type === 'block-device' ? 'block' : 'char',
          major: h.devmajor ?? 0,
          minor: h.devminor ?? 0,
          meta: { path: target, uid: h.uid, gid: h.gid, mode: h.mode, mtime: h.mtime },
        });
        return;
      default:
        return; // pax/gnu extension headers are folded in by tar-stream; others are ignored
    }
  }

  /** Runs the batched work and restores directory mtimes (which writing children changed). */
  async finish(): Promise<void> {
    await this.flush();
    for (const d of this.dirTimes.sort((a, b) => b.path.length - a.path.length)) {
      await this.checkParents(d.path);
      await fs.lutimes(d.path, d.mtime, d.mtime).catch(() => undefined);
    }
  }

  private async whiteout(h: EntryHeader, parts: string[], base: string): Promise<void> {
    const parent = await this.resolveDir(parts.slice(0, -1), h.name);
    if (base === opaqueMarker) {
      this.xattrs.push({ path: parent, name: 'trusted.overlay.opaque', value: Buffer.from('y') });
      return;
    }
    if (base.startsWith(whiteoutPrefix + whiteoutPrefix)) return; // aufs metadata (.wh..wh.plnk…)
    const name = base.slice(whiteoutPrefix.length);
    if (name === '' || name === '.' || name === '..') throw invalid(`invalid whiteout entry "${h.name}"`);
    const target = path.join(parent, name);
    await this.replace(target);
    this.nodes.set(target, { path: target, kind: 'char', major: 0, minor: 0 });
  }

  private async directory(h: EntryHeader, target: string): Promise<void> {
    const st = await lstat(target);
    if (!st?.isDirectory()) {
      await this.replace(target);
      await fs.mkdir(target);
    }
    await fs.lchown(target, h.uid, h.gid);
    await fs.chmod(target, h.mode & 0o7777);
    this.dirTimes.push({ path: target, uid: h.uid, gid: h.gid, mode: h.mode, mtime: h.mtime });
    this.queueXattrs(h, target);
  }

  private async file(h: EntryHeader, target: string, body: Readable): Promise<void> {
    await this.replace(target);
    const fh = await fs.open(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      // tar-stream entries are streamx streams: iterate rather than mixing them into node's pipeline.
      for await (const chunk of body) await fh.writeFile(chunk as Buffer);
      // chown before chmod: chown clears setuid/setgid bits.
      await fh.chown(h.uid, h.gid);
      await fh.chmod(h.mode & 0o7777);
      await fh.utimes(h.mtime, h.mtime);
    } finally {
      await fh.close();
    }
    this.size += h.size;
    this.queueXattrs(h, target);
  }

  private async hardlink(h: EntryHeader, target: string): Promise<void> {
    const linkParts = entryComponents(h.linkname ?? '');
    if (linkParts.length === 0) throw invalid(`invalid hardlink "${h.name}" -> "${h.linkname}"`);
    const linkParent = await this.resolveDir(linkParts.slice(0, -1), h.linkname ?? '', false);
    const source = path.join(linkParent, linkParts[linkParts.length - 1]);
    if (this.nodes.has(source)) await this.flush();
    const st = await lstat(source);
    if (!st || st.isDirectory()) throw invalid(`invalid hardlink "${h.name}" -> "${h.linkname}": target is not in this layer`);
    if (source === target) return;
    await this.replace(target);
    await fs.link(source, target);
  }

  /** PAX xattrs, except trusted.* (a layer must not forge overlay's own attributes). */
  private queueXattrs(h: EntryHeader, target: string): void {
    for (const [k, v] of Object.entries(h.pax ?? {})) {
      if (!k.startsWith('SCHILY.xattr.')) continue;
      const name = k.slice('SCHILY.xattr.'.length);
      // tar-stream decodes PAX values as UTF-8, so binary values arrive mangled: skip those.
      if (name.startsWith('trusted.') || v.includes('\uFFFD')) continue;
      this.xattrs.push({ path: target, name, value: Buffer.from(v, 'utf8') });
    }
  }

  /** Removes whatever is at `target` so a new entry can take its place (later entries win). */
  private async replace(target: string): Promise<void> {
    const prefix = target + '/';
    if ([...this.nodes.keys(), ...this.xattrs.map((x) => x.path)].some((p) => p === target || p.startsWith(prefix))) {
      await this.flush();
    }
    const st = await lstat(target);
    if (st) await fs.rm(target, { recursive: st.isDirectory(), force: true });
  }

  private async flush(): Promise<void> {
    const nodes = [...this.nodes.values()];
    const xattrs = this.xattrs;
    this.nodes = new Map();
    this.xattrs = [];
    for (const n of nodes) await this.checkParents(n.path);
    await makeNodes(nodes);
    for (const { meta } of nodes) {
      if (!meta) continue;
      await fs.lchown(meta.path, meta.uid, meta.gid);
      await fs.chmod(meta.path, meta.mode & 0o7777);
      await fs.lutimes(meta.path, meta.mtime, meta.mtime);
    }
    for (const x of xattrs) await this.checkParents(x.path);
    await setXattrs(xattrs);
  }

  /** Before a deferred operation runs: every ancestor below the root must still be a real directory. */
  private async checkParents(p: string): Promise<void> {
    const rel = path.relative(this.root, path.dirname(p));
    let cur = this.root;
    for (const part of rel === '' ? [] : rel.split(path.sep)) {
      cur = path.join(cur, part);
      if (!(await lstat(cur))?.isDirectory()) throw invalid(`invalid layer: ${cur.slice(this.root.length)} changed under a pending entry`);
    }
  }

  /**
   * Resolves directory components inside the root, creating missing ones (unless `create` is
   * false). A symlink on the way is followed only when it stays inside the root.
   */
  private async resolveDir(parts: string[], entryName: string, create = true): Promise<string> {
    const done: string[] = [];
    const todo = [...parts];
    let hops = 0;
    while (todo.length) {
      const part = todo.shift()!;
      if (part === '..') {
        if (done.length === 0) throw escape(entryName);
        done.pop();
        continue;
      }
      const cur = path.join(this.root, ...done, part);
      if (this.nodes.has(cur)) await this.flush();
      const st = await lstat(cur);
      if (!st) {
        if (!create) throw invalid(`invalid tar entry "${entryName}": ${part} does not exist`);
        await fs.mkdir(cur, 0o755);
        done.push(part);
      } else if (st.isDirectory()) {
        done.push(part);
      } else if (st.isSymbolicLink()) {
        const link = await fs.readlink(cur);
        if (path.isAbsolute(link) || ++hops > maxSymlinkHops) throw escape(entryName);
        todo.unshift(...link.split('/').filter((p) => p !== '' && p !== '.'));
      } else {
        throw invalid(`invalid tar entry "${entryName}": ${part} is not a directory`);
      }
    }
    return path.join(this.root, ...done);
  }
}

function escape(name: string) {
  return invalid(`invalid tar entry "${name}": path goes through a symlink that points outside the layer`);
}

async function lstat(p: string) {
  try {
    return await fs.lstat(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
