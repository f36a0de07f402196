// Blobs by digest (containerd's core/content): a blob is hashed while it streams into a temp file
// and only renamed into place once its digest is known and checked, so a reader never sees a
// partial or wrong blob under a digest.
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { invalid, notFound } from '../errors.ts';
import { syncDir } from '../sys/atomic-file.ts';

const digestRe = /^sha256:[a-f0-9]{64}$/;

export interface BlobInfo {
  digest: string;
  size: number;
}

export interface PutResult extends BlobInfo {
  /** False when this put created the blob, true when it was already stored. */
  existed: boolean;
}

/** Throws InvalidArgument unless `d` is `sha256:<64 hex>` (also keeps digests from naming paths). */
export function checkDigest(d: string): string {
  if (!digestRe.test(d)) throw invalid(`invalid digest "${d}"`);
  return d;
}

/** A pass-through stream that hashes and counts what flows through it. */
export class HashingStream extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.push(chunk);
    cb();
  }
  digest(): string {
    return `sha256:${this.hash.digest('hex')}`;
  }
}

export class ContentStore {
  private constructor(readonly root: string) {}

  static async open(root: string): Promise<ContentStore> {
    await fs.mkdir(path.join(root, 'sha256'), { recursive: true });
    await fs.mkdir(path.join(root, 'tmp'), { recursive: true });
    // Temp files belong to writes that died with a previous process.
    for (const f of await fs.readdir(path.join(root, 'tmp'))) await fs.rm(path.join(root, 'tmp', f), { force: true });
    return new ContentStore(root);
  }

  /** Where the blob lives (whether or not it exists). */
  path(digest: string): string {
    return path.join(this.root, 'sha256', checkDigest(digest).slice(7));
  }

  /**
   * Stores a blob. With `expected`, a different digest is an error and nothing is stored.
   * Storing a blob that already exists is a no-op (the data is still read and checked).
   */
  async put(input: Readable | Buffer, expected?: string): Promise<PutResult> {
    if (expected !== undefined) checkDigest(expected);
    const tmp = path.join(this.root, 'tmp', randomBytes(8).toString('hex'));
    const hasher = new HashingStream();
    try {
      const out = createWriteStream(tmp, { mode: 0o644 });
      if (Buffer.isBuffer(input)) {
        hasher.end(input);
        await pipeline(hasher, out);
      } else {
        await pipeline(input, hasher, out);
      }
      const digest = hasher.digest();
      if (expected !== undefined && digest !== expected) {
        throw invalid(`digest mismatch: expected ${expected}, got ${digest}`);
      }
      const dest = this.path(digest);
      const existed = await exists(dest);
      if (existed) {
        await fs.rm(tmp, { force: true });
      } else {
        const fh = await fs.open(tmp, 'r');
        await fh.sync().finally(() => fh.close());
        await fs.rename(tmp, dest);
        await syncDir(path.dirname(dest));
      }
      return { digest, size: hasher.bytes, existed };
    } catch (e) {
      await fs.rm(tmp, { force: true });
      throw e;
    }
  }

  async has(digest: string): Promise<boolean> {
    return exists(this.path(digest));
  }

  /** Blob size in bytes; NotFound when absent. */
  async size(digest: string): Promise<number> {
    try {
      return (await fs.stat(this.path(digest))).size;
    } catch (e) {
      throw missing(e, digest);
    }
  }

  /** A read stream; NotFound (checked before returning) when absent. */
  async get(digest: string): Promise<Readable> {
    const p = this.path(digest);
    if (!(await exists(p))) throw notFound(`content ${digest}: not found`);
    return createReadStream(p);
  }

  async read(digest: string): Promise<Buffer> {
    try {
      return await fs.readFile(this.path(digest));
    } catch (e) {
      throw missing(e, digest);
    }
  }

  /** Removes a blob; absent blobs are fine (delete is idempotent). */
  async delete(digest: string): Promise<void> {
    await fs.rm(this.path(digest), { force: true });
  }

  async list(): Promise<BlobInfo[]> {
    const dir = path.join(this.root, 'sha256');
    const out: BlobInfo[] = [];
    for (const name of await fs.readdir(dir)) {
      if (!/^[a-f0-9]{64}$/.test(name)) continue;
      const st = await fs.stat(path.join(dir, name)).catch(() => undefined);
      if (st) out.push({ digest: `sha256:${name}`, size: st.size });
    }
    return out;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

function missing(e: unknown, digest: string): unknown {
  return (e as NodeJS.ErrnoException).code === 'ENOENT' ? notFound(`content ${digest}: not found`) : e;
}
