// Local images: records and references (ImageDb) over blobs (ContentStore) and unpacked layers
// (Snapshotter). Every mutation runs under one lock and commits with a single atomic write of the
// image DB; blobs and layers made by a failed operation are taken back.
import type { Readable, Writable } from 'node:stream';
import path from 'node:path';
import { internal, invalid, isEngineError, notFound } from '../errors.ts';
import { ContentStore } from '../store/content-store.ts';
import { Snapshotter } from '../store/snapshotter.ts';
import { readArchive } from './archive-load.ts';
import { writeArchive, type SaveImage } from './archive-save.ts';
import { ImageDb, type BlobSource, type ImageRecord, type KeptManifest, type StoredImage } from './image-db.ts';
import { planRemove, type UsedBy } from './image-remove.ts';
import { decompressed, measureLayer } from './layer-unpack.ts';
import type { OciImageConfig } from './oci-types.ts';
import { familiarName, familiarString, parseReference, withDefaultTag } from './reference.ts';
import { importConfig } from './rootfs-import.ts';
import { Unpacker } from './unpacker.ts';

export type { BlobSource, ImageRecord, KeptManifest } from './image-db.ts';
export type ImageEventAction = 'load' | 'tag' | 'untag' | 'delete' | 'import' | 'save';
export type ImageEventSink = (action: ImageEventAction, id: string, attrs: Record<string, string>) => void;
export type DeleteItem = { untagged?: string; deleted?: string };
/**
 * Keeps blobs and layers an operation in flight has made (a pull) safe from rmi/prune until the
 * image that uses them is recorded. `release` then deletes whatever of them nothing references:
 * everything, when the operation failed.
 */
export interface ImageLease {
  addBlob(digest: string): void;
  addLayer(chainId: string): void;
  release(): Promise<void>;
}
export interface HistoryEntry { id: string; created: number; createdBy: string; size: number; comment: string; tags: string[] }

const hex64 = /^[a-f0-9]{64}$/;
const fullId = /^sha256:[a-f0-9]{64}$/;

export class ImageStore {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly unpacker: Unpacker;
  private readonly leases = new Set<{ blobs: Set<string>; layers: Set<string> }>();

  private constructor(
    readonly content: ContentStore,
    readonly snapshots: Snapshotter,
    private readonly db: ImageDb,
    private readonly onEvent: ImageEventSink,
  ) {
    this.unpacker = new Unpacker(content, snapshots);
  }

  static async open(dataRoot: string, onEvent: ImageEventSink): Promise<ImageStore> {
    const store = new ImageStore(
      await ContentStore.open(path.join(dataRoot, 'content')),
      await Snapshotter.open(path.join(dataRoot, 'layers')),
      await ImageDb.open(path.join(dataRoot, 'image')),
      onEvent,
    );
    await store.collectGarbage();
    return store;
  }

  list(): ImageRecord[] {
    return this.db.all().map((i) => this.db.record(i));
  }

  get(refOrId: string): ImageRecord {
    const found = this.lookup(refOrId);
    if (!found.image) throw notFound(`No such image: ${found.missing}`);
    return this.db.record(found.image);
  }

  tryGet(refOrId: string): ImageRecord | undefined {
    try {
      return this.get(refOrId);
    } catch (e) {
      if (isEngineError(e, 'NotFound') || isEngineError(e, 'InvalidArgument')) return undefined;
      throw e;
    }
  }

  async tag(source: string, target: string): Promise<void> {
    const img = this.get(source);
    const ref = parseReference(target);
    if (ref.digest !== undefined) throw invalid('refusing to create a tag with a digest reference');
    const key = familiarString(withDefaultTag(ref));
    await this.locked(() => this.db.transaction(() => this.db.setRef(key, img.id)));
    this.onEvent('tag', img.id, { name: key });
  }

  async remove(refOrId: string, opts: { force: boolean; noPrune: boolean; usedBy: UsedBy }): Promise<DeleteItem[]> {
    return this.locked(async () => {
      const { image, refKey, missing } = this.lookup(refOrId);
      if (!image) throw notFound(`No such image: ${missing}`);
      const plan = planRemove(this.db, image.id, refOrId, refKey, opts.force, opts.usedBy);
      return this.apply(image, plan.untag, plan.deleteImage);
    });
  }

  async prune(opts: { all: boolean; usedBy: UsedBy }): Promise<{ deleted: DeleteItem[]; spaceReclaimed: number }> {
    return this.locked(async () => {
      const deleted: DeleteItem[] = [];
      let spaceReclaimed = 0;
      for (const img of this.db.all()) {
        const refs = this.db.refsOf(img.id);
        if ((!opts.all && refs.length > 0) || opts.usedBy(img.id).length > 0) continue;
        const before = this.layersSize();
        deleted.push(...(await this.apply(img, refs, true)));
        spaceReclaimed += before - this.layersSize();
      }
      return { deleted, spaceReclaimed };
    });
  }

  async load(tar: Readable, progress: (msg: string) => void = () => {}): Promise<string[]> {
    return this.locked(async () => {
      const contents = await readArchive(tar, this.content);
      const createdLayers: string[] = [];
      try {
        const staged: Array<{ image: StoredImage; refs: string[] }> = [];
        for (const a of contents.images) staged.push({ image: await this.stage(a.config, a.layers, createdLayers), refs: a.refs });
        const events: Array<[ImageEventAction, string, Record<string, string>]> = [];
        const lines: string[] = [];
        await this.db.transaction(() => {
          for (const { image, refs } of staged) {
            this.db.putImage(image);
            for (const ref of refs) {
              const prev = this.db.setRef(ref, image.id);
              if (prev) progress(`The image ${ref} already exists, renaming the old one with ID ${prev} to empty string`);
              events.push(['tag', image.id, { name: ref }]);
              lines.push(`Loaded image: ${ref}`);
            }
            if (refs.length === 0) lines.push(`Loaded image ID: ${image.id}`);
            events.push(['load', image.id, { name: image.id }]);
          }
        });
        for (const e of events) this.onEvent(...e);
        await this.deleteUnreferencedBlobs(contents.addedBlobs);
        return lines;
      } catch (e) {
        await this.rollback(createdLayers, contents.addedBlobs);
        throw e;
      }
    });
  }

  async save(refs: string[], out: Writable): Promise<void> {
    const images = refs.flatMap((r) => this.resolveForSave(r));
    await this.locked(async () => {
      const items: SaveImage[] = [];
      for (const { image, tags } of images) items.push(await this.saveItem(image, tags));
      await writeArchive(items, out);
    });
    for (const id of new Set(images.map((i) => i.image.id))) this.onEvent('save', id, { name: id });
  }

  async importRootfs(tar: Readable, opts: { ref?: string; changes?: string[]; message?: string }): Promise<ImageRecord> {
    const key = opts.ref ? familiarString(withDefaultTag(parseReference(opts.ref))) : undefined;
    if (key?.includes('@')) throw invalid('refusing to create a tag with a digest reference');
    return this.locked(async () => {
      const added: string[] = [];
      const createdLayers: string[] = [];
      try {
        const blob = await this.content.put(tar);
        if (!blob.existed) added.push(blob.digest);
        const { diffId } = await measureLayer(await this.content.get(blob.digest));
        const configBytes = Buffer.from(JSON.stringify(importConfig(diffId, opts.changes ?? [], opts.message)));
        const config = await this.content.put(configBytes);
        if (!config.existed) added.push(config.digest);
        const image = await this.stage(config.digest, [blob.digest], createdLayers);
        await this.db.transaction(() => {
          this.db.putImage(image);
          if (key) this.db.setRef(key, image.id);
        });
        this.onEvent('import', image.id, { name: image.id });
        if (key) this.onEvent('tag', image.id, { name: key });
        return this.db.record(image);
      } catch (e) {
        await this.rollback(createdLayers, added);
        throw e;
      }
    });
  }

  /**
   * Records an image whose config and layer blobs are already in the content store (pull,
   * commit, build). `refs` are familiar references (`name:tag`, `name@sha256:…`). `manifest`
   * is a registry manifest blob (already stored) to keep with the image. No event: the caller
   * knows which action it was.
   */
  async createImage(opts: {
    config: Buffer;
    layers: string[];
    refs?: string[];
    parent?: string;
    manifest?: KeptManifest;
    blobSources?: Array<{ diffId: string; source: BlobSource }>;
  }): Promise<ImageRecord> {
    const refs = (opts.refs ?? []).map((r) => familiarString(withDefaultTag(parseReference(r))));
    return this.locked(async () => {
      const createdLayers: string[] = [];
      const config = await this.content.put(opts.config);
      try {
        const staged: StoredImage = { ...(await this.stage(config.digest, opts.layers, createdLayers)), parent: opts.parent };
        const prev = this.db.image(staged.id);
        const manifests = mergeManifests(prev?.manifests ?? [], opts.manifest);
        const image: StoredImage = { ...staged, parent: opts.parent ?? prev?.parent, ...(manifests.length ? { manifests } : {}) };
        await this.db.transaction(() => {
          this.db.putImage(image);
          for (const r of refs) this.db.setRef(r, image.id);
          for (const { diffId, source } of opts.blobSources ?? []) this.db.addBlobSource(diffId, source);
        });
        return this.db.record(image);
      } catch (e) {
        await this.rollback(createdLayers, config.existed ? [] : [config.digest]);
        throw e;
      }
    });
  }

  lease(): ImageLease {
    const held = { blobs: new Set<string>(), layers: new Set<string>() };
    this.leases.add(held);
    let released = false;
    return {
      addBlob: (d) => void held.blobs.add(d),
      addLayer: (c) => void held.layers.add(c),
      release: () => {
        if (released) return Promise.resolve();
        released = true;
        return this.locked(async () => {
          this.leases.delete(held);
          const inUse = this.layersInUse();
          for (const c of [...held.layers].reverse()) {
            if (inUse.has(c) || !this.snapshots.has(c)) continue;
            const blob = this.snapshots.get(c).blob;
            await this.snapshots.remove(c);
            if (blob) held.blobs.add(blob);
          }
          await this.deleteUnreferencedBlobs([...held.blobs]);
        });
      },
    };
  }

  /**
   * Unpacks one layer blob on top of its (present) parent, under `lease`. True when this call
   * created the layer, false when it was already there. `onRead` counts blob bytes consumed.
   */
  async unpackLayer(lease: ImageLease, opts: { blob: string; diffId: string; chainId: string; onRead?: (bytes: number) => void }): Promise<boolean> {
    lease.addLayer(opts.chainId);
    lease.addBlob(opts.blob);
    return this.unpacker.unpackOne(opts.blob, opts.diffId, opts.chainId, `layer ${opts.blob}`, opts.onRead);
  }

  /** Compressed blobs known to hold the layer `diffId`, newest first. */
  blobSources(diffId: string): BlobSource[] {
    return this.db.blobSources(diffId);
  }

  async addBlobSources(entries: Array<{ diffId: string; source: BlobSource }>): Promise<void> {
    if (!entries.length) return;
    await this.locked(() => this.db.transaction(() => entries.forEach((e) => this.db.addBlobSource(e.diffId, e.source))));
  }

  history(refOrId: string): HistoryEntry[] {
    const img = this.get(refOrId);
    const sizes = img.chainIds.map((c) => (this.snapshots.has(c) ? this.snapshots.size(c) : 0));
    const created = (s?: string) => Math.floor((Date.parse(s ?? '') || 0) / 1000);
    let layer = 0;
    const entries: HistoryEntry[] = (img.config.history ?? []).map((h) => ({
      id: '<missing>',
      created: created(h.created),
      createdBy: h.created_by ?? '',
      size: h.empty_layer ? 0 : (sizes[layer++] ?? 0),
      comment: h.comment ?? '',
      tags: [],
    }));
    // Layers the history does not describe still show up, as Docker does for such images.
    while (layer < sizes.length) {
      entries.push({ id: '<missing>', created: created(img.created), createdBy: '', size: sizes[layer++], comment: '', tags: [] });
    }
    entries.reverse();
    if (entries.length === 0) entries.push({ id: img.id, created: created(img.created), createdBy: '', size: 0, comment: '', tags: [] });
    entries[0] = { ...entries[0], id: img.id, tags: img.repoTags };
    return entries;
  }

  lowerDirs(image: ImageRecord): string[] {
    return [...image.chainIds].reverse().map((c) => this.snapshots.layerDir(c));
  }

  diskUsage(): { layersSize: number; images: Array<{ id: string; size: number; sharedSize: number }> } {
    const users = new Map<string, number>();
    for (const img of this.db.all()) for (const c of new Set(img.chainIds)) users.set(c, (users.get(c) ?? 0) + 1);
    return {
      layersSize: this.layersSize(),
      images: this.db.all().map((img) => ({
        id: img.id,
        size: img.size,
        sharedSize: img.chainIds.filter((c) => (users.get(c) ?? 0) > 1 && this.snapshots.has(c)).reduce((n, c) => n + this.snapshots.size(c), 0),
      })),
    };
  }

  // ---- internals ----

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Docker's GetImage: full ID, then reference, then unique ID prefix. */
  private lookup(s: string): { image?: StoredImage; refKey?: string; missing: string } {
    if (hex64.test(s)) return { image: this.db.image(`sha256:${s}`), missing: `sha256:${s}` };
    if (fullId.test(s)) return { image: this.db.image(s), missing: s };
    const key = familiarString(withDefaultTag(parseReference(s)));
    const id = this.db.resolve(key);
    if (id) return { image: this.db.image(id), refKey: key, missing: key };
    const hex = s.startsWith('sha256:') ? s.slice(7) : s;
    if (/^[a-f0-9]+$/.test(hex)) {
      const ids = this.db.idsWithPrefix(hex);
      if (ids.length === 1) return { image: this.db.image(ids[0]), missing: key };
    }
    return { missing: key };
  }

  /** Unpacks (or reuses) the layers and builds the record; checks the config first. */
  private async stage(configDigest: string, layers: string[], createdLayers: string[]): Promise<StoredImage> {
    let config: OciImageConfig;
    try {
      config = JSON.parse((await this.content.read(configDigest)).toString('utf8')) as OciImageConfig;
    } catch (e) {
      if (isEngineError(e)) throw e;
      throw invalid(`invalid image config ${configDigest}: not JSON`);
    }
    const diffIds = config?.rootfs?.diff_ids;
    if (!Array.isArray(diffIds) || !diffIds.every((d) => fullId.test(d))) throw invalid(`invalid image config ${configDigest}: bad rootfs.diff_ids`);
    const chainIds = await this.unpacker.unpack(layers, diffIds, createdLayers);
    const size = chainIds.reduce((n, c) => n + this.snapshots.size(c), 0);
    return { id: configDigest, created: config.created ?? new Date(0).toISOString(), size, config, diffIds, chainIds };
  }

  /** Writes the untag/delete to the DB, then frees layers and blobs nothing else uses. */
  private async apply(image: StoredImage, untag: string[], deleteImage: boolean): Promise<DeleteItem[]> {
    await this.db.transaction(() => {
      for (const r of untag) this.db.deleteRef(r);
      if (deleteImage) {
        this.db.deleteImage(image.id);
        this.db.pruneBlobSources();
      }
    });
    const out: DeleteItem[] = [];
    for (const r of untag) {
      out.push({ untagged: r });
      this.onEvent('untag', image.id, { name: image.id });
    }
    if (!deleteImage) return out;
    out.push({ deleted: image.id });
    this.onEvent('delete', image.id, { name: image.id });
    const inUse = this.layersInUse();
    const blobs = [image.id, ...(image.manifests ?? []).map((m) => m.digest)];
    for (const c of [...image.chainIds].reverse()) {
      if (inUse.has(c) || !this.snapshots.has(c)) continue;
      const blob = this.snapshots.get(c).blob;
      await this.snapshots.remove(c);
      if (blob) blobs.push(blob);
      out.push({ deleted: c });
    }
    await this.deleteUnreferencedBlobs(blobs);
    return out;
  }

  private referencedBlobs(): Set<string> {
    const refs = new Set(this.db.all().flatMap((i) => [i.id, ...(i.manifests ?? []).map((m) => m.digest)]));
    for (const l of this.snapshots.list()) if (l.blob) refs.add(l.blob);
    for (const lease of this.leases) for (const b of lease.blobs) refs.add(b);
    return refs;
  }

  /** Layers an image or an operation in flight uses. */
  private layersInUse(): Set<string> {
    const inUse = new Set(this.db.all().flatMap((i) => i.chainIds));
    for (const lease of this.leases) for (const c of lease.layers) inUse.add(c);
    return inUse;
  }

  private async deleteUnreferencedBlobs(candidates: string[]): Promise<void> {
    const keep = this.referencedBlobs();
    for (const d of candidates) if (!keep.has(d)) await this.content.delete(d);
  }

  private async rollback(layers: string[], blobs: string[]): Promise<void> {
    for (const c of layers) await this.snapshots.remove(c);
    for (const b of blobs) await this.content.delete(b);
  }

  /** At open nothing is in flight: layers and blobs no image references are leftovers of a crash. */
  private async collectGarbage(): Promise<void> {
    const inUse = new Set(this.db.all().flatMap((i) => i.chainIds));
    for (const l of this.snapshots.list()) if (!inUse.has(l.chainId)) await this.snapshots.remove(l.chainId);
    await this.deleteUnreferencedBlobs((await this.content.list()).map((b) => b.digest));
  }

  private layersSize(): number {
    return this.snapshots.list().reduce((n, l) => n + l.size, 0);
  }

  /** Docker's save name rules: a bare repository name saves all its tags; an ID saves no tags. */
  private resolveForSave(name: string): Array<{ image: StoredImage; tags: string[] }> {
    const found = this.lookup(name);
    if (found.refKey === undefined && found.image) return [{ image: found.image, tags: [] }];
    const ref = parseReference(name);
    if (ref.tag === undefined && ref.digest === undefined) {
      const repo = familiarName(ref);
      const tagged = this.list().flatMap((img) =>
        img.repoTags.filter((t) => familiarName(parseReference(t)) === repo).map((t) => ({ image: this.db.image(img.id)!, tags: [t] })),
      );
      if (tagged.length) return tagged;
    }
    if (!found.image) throw notFound(`No such image: ${found.missing}`);
    return [{ image: found.image, tags: found.refKey && !found.refKey.includes('@') ? [found.refKey] : [] }];
  }

  private async saveItem(image: StoredImage, tags: string[]): Promise<SaveImage> {
    const layers = image.chainIds.map((c) => {
      const info = this.snapshots.get(c);
      const blob = info.blob;
      if (!blob || info.tarSize === undefined) throw internal(`layer ${c} has no stored blob to save`);
      return { diffId: info.diffId, size: info.tarSize, open: async () => decompressed(await this.content.get(blob)) };
    });
    return { id: image.id, config: await this.content.read(image.id), layers, repoTags: tags };
  }
}

function mergeManifests(kept: KeptManifest[], add: KeptManifest | undefined): KeptManifest[] {
  if (!add) return kept;
  return [add, ...kept.filter((m) => !(m.digest === add.digest && m.repository === add.repository))];
}
