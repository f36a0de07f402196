// Turns layer blobs in the content store into committed snapshots (containerd's core/unpack):
// composes the content store and the snapshotter and owns no storage of its own.
import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { invalid } from '../errors.ts';
import type { ContentStore } from '../store/content-store.ts';
import type { Snapshotter } from '../store/snapshotter.ts';
import { applyLayer } from './layer-unpack.ts';

/** OCI chain IDs: ChainID(L0) = DiffID(L0); ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln)). */
export function chainIds(diffIds: string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) {
    const prev = out[out.length - 1];
    out.push(prev === undefined ? d : `sha256:${createHash('sha256').update(`${prev} ${d}`).digest('hex')}`);
  }
  return out;
}

export class Unpacker {
  /** Layers being unpacked now, by chain ID: a second caller waits instead of racing the first. */
  private readonly inflight = new Map<string, Promise<boolean>>();

  constructor(
    private readonly content: ContentStore,
    private readonly snapshots: Snapshotter,
  ) {}

  /**
   * Unpacks each layer blob (base first) not already present and checks it against the
   * config's diffIDs. Returns the chain IDs and, separately, the ones this call created, so a
   * failed multi-image operation can take them back.
   */
  async unpack(blobs: string[], diffIds: string[], created: string[] = []): Promise<string[]> {
    if (blobs.length !== diffIds.length) {
      throw invalid(`image has ${diffIds.length} diffIDs in its config but ${blobs.length} layers`);
    }
    const chain = chainIds(diffIds);
    for (let i = 0; i < blobs.length; i++) {
      if (await this.unpackOne(blobs[i], diffIds[i], chain[i], `layer ${i}`)) created.push(chain[i]);
    }
    return chain;
  }

  /**
   * Unpacks one layer whose parent (if any) is already present. True when this call created it;
   * false when it existed or a concurrent call made it. `onRead` counts blob bytes read.
   */
  async unpackOne(blob: string, diffId: string, chainId: string, what: string, onRead?: (bytes: number) => void): Promise<boolean> {
    if (this.snapshots.has(chainId)) return false;
    const running = this.inflight.get(chainId);
    if (running) {
      await running;
      return false;
    }
    const job = this.apply(blob, diffId, chainId, what, onRead);
    this.inflight.set(chainId, job);
    try {
      return await job;
    } finally {
      this.inflight.delete(chainId);
    }
  }

  private async apply(blob: string, diffId: string, chainId: string, what: string, onRead?: (bytes: number) => void): Promise<boolean> {
    const prepared = await this.snapshots.prepareLayer(chainId);
    try {
      const res = await applyLayer(counted(await this.content.get(blob), onRead), prepared.dir);
      if (res.diffId !== diffId) {
        throw invalid(`invalid diffID for ${what}: expected "${diffId}", got "${res.diffId}"`);
      }
      await prepared.commit({ diffId: res.diffId, size: res.size, blob, tarSize: res.tarSize });
      return true;
    } catch (e) {
      await prepared.abort();
      throw e;
    }
  }
}

function counted(src: Readable, onRead?: (bytes: number) => void): Readable {
  if (!onRead) return src;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      onRead(chunk.length);
      cb(null, chunk);
    },
  });
  src.on('error', (e) => counter.destroy(e));
  return src.pipe(counter);
}
