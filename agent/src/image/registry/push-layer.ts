// What to push for one local layer: its stored blob when that is already compressed (pulled
// layers), else a gzip of the tar (loaded images) — made once, then remembered by diffID so the
// next push finds the blob by HEAD or mounts it without compressing again.
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { internal } from '../../errors.ts';
import { HashingStream } from '../../store/content-store.ts';
import type { BlobSource, ImageStore } from '../image-store.ts';
import { detectCompression } from '../layer-unpack.ts';
import type { OciDescriptor } from '../oci-types.ts';
import { layerTypes } from './manifest.ts';

export interface PushableLayer {
  diffId: string;
  /** Known compressed forms of this layer on the target registry, best first. */
  known: BlobSource[];
  /** The stored blob, when it can be pushed as it is. */
  stored?: OciDescriptor;
  /** Present when the stored blob is an uncompressed tar. */
  tarBlob?: string;
}

export async function describeLayer(store: ImageStore, chainId: string, domain: string): Promise<PushableLayer> {
  const info = store.snapshots.get(chainId);
  if (!info.blob) throw internal(`layer ${chainId} has no stored blob to push`);
  const known = store.blobSources(info.diffId).filter((s) => s.repository.startsWith(`${domain}/`));
  const head = await readHead(store, info.blob);
  const compression = detectCompression(head);
  if (compression === 'none') return { diffId: info.diffId, known, tarBlob: info.blob };
  const size = await store.content.size(info.blob);
  const mediaType = compression === 'zstd' ? layerTypes.ociZstd : layerTypes.dockerGzip;
  return { diffId: info.diffId, known, stored: { mediaType, digest: info.blob, size } };
}

async function readHead(store: ImageStore, digest: string): Promise<Buffer> {
  const fh = await fs.open(store.content.path(digest), 'r');
  try {
    const buf = Buffer.alloc(6);
    const { bytesRead } = await fh.read(buf, 0, 6, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** A gzip of the blob in the content store's temp dir (swept at start-up), with its digest. */
export async function gzipToTemp(store: ImageStore, tarBlob: string): Promise<{ desc: OciDescriptor; file: string; open: () => Promise<Readable>; remove: () => Promise<void> }> {
  const file = path.join(store.content.root, 'tmp', `push-${randomBytes(8).toString('hex')}.gz`);
  const hasher = new HashingStream();
  try {
    await pipeline(await store.content.get(tarBlob), createGzip(), hasher, createWriteStream(file, { mode: 0o600 }));
  } catch (e) {
    await fs.rm(file, { force: true });
    throw e;
  }
  return {
    desc: { mediaType: layerTypes.dockerGzip, digest: hasher.digest(), size: hasher.bytes },
    file,
    open: async () => createReadStream(file),
    remove: () => fs.rm(file, { force: true }),
  };
}
