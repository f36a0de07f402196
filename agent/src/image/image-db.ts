// Image records and the references (tags, digests) that point at them, kept in one JSON file
// written atomically: every change — a whole multi-image load included — lands at once or not at all.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { readJson, writeJsonAtomic } from '../sys/atomic-file.ts';
import type { OciImageConfig } from './oci-types.ts';

export interface ImageRecord {
  /** `sha256:<config digest>` */
  id: string;
  /** Familiar `name:tag` */
  repoTags: string[];
  /** Familiar `name@sha256:…` */
  repoDigests: string[];
  created: string;
  /** Sum of the unpacked layers' sizes. */
  size: number;
  config: OciImageConfig;
  diffIds: string[];
  chainIds: string[];
  parent?: string;
  /** Manifests this image was pulled by; their bytes stay in the content store for push. */
  manifests?: KeptManifest[];
}

/** A registry manifest kept verbatim (a blob), and the fully qualified repository it came from. */
export interface KeptManifest {
  digest: string;
  mediaType: string;
  repository: string;
}

/**
 * Docker's v2 metadata: a compressed blob known to hold a layer (by diffID) and a repository
 * (fully qualified) that has it, so push can skip or cross-mount it without recompressing.
 */
export interface BlobSource {
  digest: string;
  mediaType: string;
  size: number;
  repository: string;
}

const maxSourcesPerLayer = 8;

export type StoredImage = Omit<ImageRecord, 'repoTags' | 'repoDigests'>;

interface DbFile {
  version: 1;
  images: StoredImage[];
  /** [familiar reference, image id], in the order they were made. */
  refs: Array<[string, string]>;
  /** diffID → where its compressed forms are known to live, newest first. */
  blobSources?: Record<string, BlobSource[]>;
}

export class ImageDb {
  private images = new Map<string, StoredImage>();
  private refs = new Map<string, string>();
  private sources = new Map<string, BlobSource[]>();

  private constructor(private readonly file: string) {}

  static async open(dir: string): Promise<ImageDb> {
    await fs.mkdir(dir, { recursive: true });
    const db = new ImageDb(path.join(dir, 'images.json'));
    const data = await readJson<DbFile>(db.file);
    for (const img of data?.images ?? []) db.images.set(img.id, img);
    for (const [ref, id] of data?.refs ?? []) if (db.images.has(id)) db.refs.set(ref, id);
    for (const [diffId, list] of Object.entries(data?.blobSources ?? {})) db.sources.set(diffId, list);
    return db;
  }

  /** Applies `change` to memory and persists it; if either fails, memory is rolled back. */
  async transaction<T>(change: () => T | Promise<T>): Promise<T> {
    const images = new Map(this.images);
    const refs = new Map(this.refs);
    const sources = new Map(this.sources);
    try {
      const result = await change();
      const file: DbFile = { version: 1, images: [...this.images.values()], refs: [...this.refs], blobSources: Object.fromEntries(this.sources) };
      await writeJsonAtomic(this.file, file);
      return result;
    } catch (e) {
      this.images = images;
      this.refs = refs;
      this.sources = sources;
      throw e;
    }
  }

  all(): StoredImage[] {
    return [...this.images.values()];
  }

  image(id: string): StoredImage | undefined {
    return this.images.get(id);
  }

  record(img: StoredImage): ImageRecord {
    const refs = this.refsOf(img.id);
    return { ...img, repoTags: refs.filter((r) => !r.includes('@')), repoDigests: refs.filter((r) => r.includes('@')) };
  }

  refsOf(id: string): string[] {
    return [...this.refs].filter(([, i]) => i === id).map(([r]) => r);
  }

  resolve(ref: string): string | undefined {
    return this.refs.get(ref);
  }

  /** Ids whose hex starts with `prefix` (hex only). */
  idsWithPrefix(prefix: string): string[] {
    return [...this.images.keys()].filter((id) => id.slice(7).startsWith(prefix));
  }

  putImage(img: StoredImage): void {
    this.images.set(img.id, img);
  }

  deleteImage(id: string): void {
    this.images.delete(id);
    for (const [r, i] of this.refs) if (i === id) this.refs.delete(r);
  }

  /** Points `ref` at `id`; returns the image it pointed at before, if another. */
  setRef(ref: string, id: string): string | undefined {
    const prev = this.refs.get(ref);
    this.refs.delete(ref); // re-insert so the newest reference lists last
    this.refs.set(ref, id);
    return prev !== id ? prev : undefined;
  }

  deleteRef(ref: string): void {
    this.refs.delete(ref);
  }

  blobSources(diffId: string): BlobSource[] {
    return this.sources.get(diffId) ?? [];
  }

  /** Records (or moves to the front) a place the layer's compressed blob is known to be. */
  addBlobSource(diffId: string, src: BlobSource): void {
    const same = (a: BlobSource) => a.digest === src.digest && a.repository === src.repository;
    const list = [src, ...this.blobSources(diffId).filter((a) => !same(a))].slice(0, maxSourcesPerLayer);
    this.sources.set(diffId, list);
  }

  /** Drops sources of layers no image has any more (keeps the file from growing forever). */
  pruneBlobSources(): void {
    const live = new Set(this.all().flatMap((i) => i.diffIds));
    for (const d of this.sources.keys()) if (!live.has(d)) this.sources.delete(d);
  }
}
