// Overlay snapshots (containerd's core/snapshots, overlay flavour). Image layers are committed
// directories keyed by chain ID; a container gets an upper/work pair and the overlay Mount to
// build its root from. Nothing here mounts: callers hand the returned Mount to sys/mount.
import { promises as fs } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { conflict, notFound } from '../errors.ts';
import { readJson, syncDir, writeJsonAtomic } from '../sys/atomic-file.ts';
import type { Mount } from '../sys/mount.ts';
import { checkDigest } from './content-store.ts';

export interface LayerInfo {
  chainId: string;
  diffId: string;
  /** Sum of regular file sizes in the layer. */
  size: number;
  /** Blob the layer was unpacked from (kept so `docker save` can stream the exact tar). */
  blob?: string;
  /** Uncompressed tar size in bytes. */
  tarSize?: number;
}

/** An active (being filled) layer: fill `dir`, then commit or abort. */
export interface PreparedLayer {
  dir: string;
  commit(info: Omit<LayerInfo, 'chainId'>): Promise<void>;
  abort(): Promise<void>;
}

// Overlay mount options must fit in one page, so layer directories are short prefixes of the ID.
const keyLength = 20;

export class Snapshotter {
  private readonly layers = new Map<string, LayerInfo>();

  private constructor(readonly root: string) {}

  /** Opens `<dataRoot>/layers`, dropping unfinished layers left by a previous process. */
  static async open(root: string): Promise<Snapshotter> {
    await fs.mkdir(root, { recursive: true });
    const s = new Snapshotter(root);
    for (const name of await fs.readdir(root)) {
      const dir = path.join(root, name);
      if (name.startsWith('.tmp-')) {
        await fs.rm(dir, { recursive: true, force: true });
        continue;
      }
      const info = await readJson<LayerInfo>(path.join(dir, 'layer.json'));
      if (info) s.layers.set(info.chainId, info);
      else if (name !== 'empty') await fs.rm(dir, { recursive: true, force: true });
    }
    await fs.mkdir(s.emptyDir(), { recursive: true });
    return s;
  }

  /** Overlay wants at least one lowerdir; images without layers get this empty one. */
  emptyDir(): string {
    return path.join(this.root, 'empty');
  }

  layerDir(chainId: string): string {
    return path.join(this.root, checkDigest(chainId).slice(7, 7 + keyLength), 'diff');
  }

  has(chainId: string): boolean {
    return this.layers.has(chainId);
  }

  get(chainId: string): LayerInfo {
    const info = this.layers.get(chainId);
    if (!info) throw notFound(`layer ${chainId} does not exist`);
    return info;
  }

  list(): LayerInfo[] {
    return [...this.layers.values()];
  }

  size(chainId: string): number {
    return this.get(chainId).size;
  }

  /** Starts a new layer in a private temp dir; `commit` renames it into place atomically. */
  async prepareLayer(chainId: string): Promise<PreparedLayer> {
    checkDigest(chainId);
    if (this.layers.has(chainId)) throw conflict(`layer ${chainId} already exists`);
    const tmp = path.join(this.root, `.tmp-${randomBytes(6).toString('hex')}`);
    await fs.mkdir(path.join(tmp, 'diff'), { recursive: true, mode: 0o755 });
    return {
      dir: path.join(tmp, 'diff'),
      commit: async (info) => {
        const full: LayerInfo = { chainId, ...info };
        await writeJsonAtomic(path.join(tmp, 'layer.json'), full);
        await fs.rename(tmp, path.dirname(this.layerDir(chainId)));
        await syncDir(this.root);
        this.layers.set(chainId, full);
      },
      abort: () => fs.rm(tmp, { recursive: true, force: true }),
    };
  }

  async remove(chainId: string): Promise<void> {
    if (!this.layers.has(chainId)) return;
    const dir = path.dirname(this.layerDir(chainId));
    // Rename first so a crash mid-delete leaves a .tmp- dir that open() sweeps, not a torn layer.
    const doomed = path.join(this.root, `.tmp-rm-${randomBytes(6).toString('hex')}`);
    await fs.rename(dir, doomed);
    this.layers.delete(chainId);
    await fs.rm(doomed, { recursive: true, force: true });
  }

  /**
   * Creates `containerDir/upper` and `containerDir/work` and returns the overlay mount for the
   * container's root. `lowerDirs` are top layer first, as overlay orders them.
   */
  async prepareContainer(containerDir: string, lowerDirs: string[]): Promise<Mount[]> {
    const upper = path.join(containerDir, 'upper');
    const work = path.join(containerDir, 'work');
    await fs.mkdir(upper, { recursive: true, mode: 0o755 });
    await fs.mkdir(work, { recursive: true, mode: 0o700 });
    const lowers = lowerDirs.length ? lowerDirs : [this.emptyDir()];
    return [
      {
        type: 'overlay',
        source: 'overlay',
        options: [`lowerdir=${lowers.join(':')}`, `upperdir=${upper}`, `workdir=${work}`],
      },
    ];
  }

  /** Removes what prepareContainer created (the caller unmounts first). */
  async removeContainer(containerDir: string): Promise<void> {
    await fs.rm(path.join(containerDir, 'upper'), { recursive: true, force: true });
    await fs.rm(path.join(containerDir, 'work'), { recursive: true, force: true });
  }
}
