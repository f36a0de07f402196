// Applies one layer tar (OCI image spec "Applying changesets") to a directory that becomes an
// overlay lowerdir. The layer's diffID is the sha256 of the uncompressed tar, computed while
// the bytes stream through, so a layer is read exactly once.
import { promises as fs } from 'node:fs';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import tar from 'tar-stream';
import { Decompress as ZstdDecompress } from 'fzstd';
import { invalid, isEngineError } from '../errors.ts';
import { HashingStream } from '../store/content-store.ts';
import { LayerTreeWriter, type EntryHeader } from './layer-tree-writer.ts';

export interface UnpackResult {
  /** sha256 of the uncompressed tar. */
  diffId: string;
  /** Sum of the regular files' sizes. */
  size: number;
  /** Bytes of the uncompressed tar (what `docker save` writes for this layer). */
  tarSize: number;
}

export type Compression = 'gzip' | 'zstd' | 'none';

/** Detects compression by magic number; refuses formats we cannot decompress. */
export function detectCompression(head: Buffer): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.subarray(0, 4).equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))) return 'zstd';
  if (head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) {
    throw invalid('xz-compressed layers are not supported');
  }
  if (head.subarray(0, 3).toString('latin1') === 'BZh') throw invalid('bzip2-compressed layers are not supported');
  return 'none';
}

/** Node 20 has no zstd: fzstd (pure JS, streaming) behind a Transform. */
export function createZstdDecompress(): Transform {
  let push: (b: Buffer) => void = () => undefined;
  const z = new ZstdDecompress((data) => push(Buffer.from(data)));
  return new Transform({
    construct(cb) {
      push = (b) => this.push(b);
      cb();
    },
    transform(chunk: Buffer, _enc, cb) {
      try {
        z.push(chunk);
        cb();
      } catch (e) {
        cb(new Error(`zstd: ${(e as Error).message}`));
      }
    },
    flush(cb) {
      try {
        z.push(new Uint8Array(0), true);
        cb();
      } catch (e) {
        cb(new Error(`zstd: ${(e as Error).message}`));
      }
    },
  });
}

/** The stream's bytes, decompressed if they were gzip or zstd. */
export async function decompressed(input: Readable): Promise<Readable> {
  const it = input[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  let done = false;
  while (head.length < 6) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    head = Buffer.concat([head, Buffer.from(r.value as Buffer)]);
  }
  const compression = detectCompression(head);
  const rest = Readable.from(
    (async function* () {
      if (head.length) yield head;
      if (done) return;
      for (let r = await it.next(); !r.done; r = await it.next()) yield r.value as Buffer;
    })(),
    { objectMode: false },
  );
  if (compression === 'none') return rest;
  const inflate = compression === 'gzip' ? createGunzip() : createZstdDecompress();
  rest.on('error', (e) => inflate.destroy(e));
  return rest.pipe(inflate);
}

/**
 * Applies the layer into `dir`, which must exist and be empty and private to the caller (a
 * half-applied layer is left for the caller to discard). Use `unpackLayer` for temp+rename.
 */
export async function applyLayer(input: Readable, dir: string): Promise<UnpackResult> {
  const source = await decompressed(input);
  const hasher = new HashingStream();
  const extract = tar.extract();
  const writer = new LayerTreeWriter(dir);
  source.on('error', (e) => hasher.destroy(e));
  hasher.on('error', (e) => extract.destroy(e));
  source.pipe(hasher);
  hasher.pipe(extract as unknown as NodeJS.WritableStream);
  // Resolves once every byte has gone through the hasher, which the diffID needs.
  const drained = new Promise<void>((resolve, reject) => {
    hasher.on('end', resolve);
    hasher.on('error', reject);
  });
  // When extraction fails first, this rejection is superseded by that error: never unhandled.
  drained.catch(() => undefined);
  try {
    for await (const entry of extract) {
      await writer.write(entry.header as unknown as EntryHeader, entry as unknown as Readable);
      entry.resume();
    }
    await drained;
    await writer.finish();
  } catch (e) {
    source.destroy();
    hasher.destroy();
    extract.destroy();
    throw asLayerError(e);
  }
  return { diffId: hasher.digest(), size: writer.size, tarSize: hasher.bytes };
}

/** Only hashes: the diffID and tar size of a (possibly gzipped) layer, without unpacking it. */
export async function measureLayer(input: Readable): Promise<{ diffId: string; tarSize: number }> {
  const hasher = new HashingStream();
  try {
    const sink = new Writable({ write: (_c, _e, cb) => cb() });
    await pipeline(await decompressed(input), hasher, sink);
  } catch (e) {
    throw asLayerError(e);
  }
  return { diffId: hasher.digest(), tarSize: hasher.bytes };
}

/** A corrupt tar or gzip stream is the caller's bad input; system errors (ENOSPC…) stay what they are. */
function asLayerError(e: unknown): unknown {
  if (isEngineError(e)) return e;
  const err = e as NodeJS.ErrnoException;
  if (err?.syscall) return e;
  return invalid(`invalid layer tar: ${err?.message ?? String(e)}`);
}

/** Applies the layer into a temp dir beside `target` and renames it into place on success. */
export async function unpackLayer(input: Readable, target: string): Promise<UnpackResult> {
  const tmp = path.join(path.dirname(target), `.unpack-${randomBytes(6).toString('hex')}`);
  await fs.mkdir(tmp, { mode: 0o755 });
  try {
    const result = await applyLayer(input, tmp);
    await fs.rename(tmp, target);
    return result;
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw e;
  }
}
