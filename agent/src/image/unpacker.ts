// Turns layer blobs in the content store into committed snapshots (containerd's core/unpack):
// composes the content store and the snapshotter and owns no storage of its own.
import { createHash } from 'node:crypto';
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
      if (this.snapshots.has(chain[i])) continue;
      const prepared = await this.snapshots.prepareLayer(chain[i]);
      try {
        const res = await applyLayer(await this.content.get(blobs[i]), prepared.dir);
        if (res.diffId !== diffIds[i]) {
          throw invalid(`invalid diffID for layer ${i}: expected "${diffIds[i]}", got "${res.diffId}"`);
        }
        await prepared.commit({ diffId: res.diffId, size: res.size, blob: blobs[i], tarSize: res.tarSize });
        created.push(chain[i]);
      } catch (e) {
        await prepared.abort();
        throw e;
      }
    }
    return chain;
  }
}
