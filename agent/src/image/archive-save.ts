// Writes images as a docker-archive the way Docker 25+ does: blobs in an OCI layout (blobs/,
// index.json, oci-layout) plus the classic manifest.json and repositories, so both older
// dockerd (20.10 reads manifest.json) and OCI tools can load it.
import type { Readable, Writable } from 'node:stream';
import { createHash } from 'node:crypto';
import tar from 'tar-stream';
import { mediaTypes, type OciDescriptor, type OciIndex, type OciManifest } from './oci-types.ts';
import { fullString, parseReference } from './reference.ts';

export interface SaveLayer {
  diffId: string;
  /** Uncompressed tar size. */
  size: number;
  /** The uncompressed layer tar. */
  open(): Promise<Readable>;
}

export interface SaveImage {
  id: string;
  config: Buffer;
  layers: SaveLayer[];
  /** Familiar `name:tag` references to record for this image. */
  repoTags: string[];
}

const epoch = new Date(0);

/** Merges entries for the same image (saved under two tags) and writes the archive to `out`. */
export async function writeArchive(images: SaveImage[], out: Writable): Promise<void> {
  const merged = new Map<string, SaveImage>();
  for (const img of images) {
    const prev = merged.get(img.id);
    if (prev) prev.repoTags.push(...img.repoTags.filter((t) => !prev.repoTags.includes(t)));
    else merged.set(img.id, { ...img, repoTags: [...img.repoTags] });
  }
  const pack = tar.pack();
  const done = new Promise<void>((resolve, reject) => {
    out.on('error', reject);
    out.on('finish', resolve);
    pack.on('error', reject);
  });
  pack.pipe(out as unknown as NodeJS.WritableStream);
  try {
    await writeEntries(pack, [...merged.values()]);
    pack.finalize();
  } catch (e) {
    pack.destroy(e as Error);
    throw e;
  }
  await done;
}

async function writeEntries(pack: tar.Pack, images: SaveImage[]): Promise<void> {
  const written = new Set<string>();
  await addEntry(pack, { name: 'blobs/', type: 'directory' });
  await addEntry(pack, { name: 'blobs/sha256/', type: 'directory' });
  const blob = async (digest: string, body: Buffer | SaveLayer) => {
    if (written.has(digest)) return;
    written.add(digest);
    const name = `blobs/sha256/${digest.slice(7)}`;
    if (Buffer.isBuffer(body)) await addEntry(pack, { name }, body);
    else await addStream(pack, name, body.size, await body.open());
  };
  const manifestJson: Array<{ Config: string; RepoTags: string[]; Layers: string[] }> = [];
  const index: OciIndex = { schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests: [] };
  const repositories: Record<string, Record<string, string>> = {};
  for (const img of images) {
    await blob(img.id, img.config);
    for (const l of img.layers) await blob(l.diffId, l);
    const manifest: OciManifest = {
      schemaVersion: 2,
      mediaType: mediaTypes.ociManifest,
      config: { mediaType: mediaTypes.ociConfig, digest: img.id, size: img.config.length },
      layers: img.layers.map((l) => ({ mediaType: mediaTypes.ociLayer, digest: l.diffId, size: l.size })),
    };
    const manifestBytes = Buffer.from(JSON.stringify(manifest));
    const manifestDigest = `sha256:${createHash('sha256').update(manifestBytes).digest('hex')}`;
    await blob(manifestDigest, manifestBytes);
    const desc: OciDescriptor = { mediaType: mediaTypes.ociManifest, digest: manifestDigest, size: manifestBytes.length };
    for (const tag of img.repoTags) {
      const ref = parseReference(tag);
      index.manifests.push({ ...desc, annotations: { 'io.containerd.image.name': fullString(ref), 'org.opencontainers.image.ref.name': ref.tag ?? 'latest' } });
      const [name, t] = splitTag(tag);
      const top = img.layers[img.layers.length - 1];
      if (top) (repositories[name] ??= {})[t] = top.diffId.slice(7);
    }
    if (img.repoTags.length === 0) index.manifests.push(desc);
    manifestJson.push({
      Config: `blobs/sha256/${img.id.slice(7)}`,
      RepoTags: img.repoTags,
      Layers: img.layers.map((l) => `blobs/sha256/${l.diffId.slice(7)}`),
    });
  }
  await addEntry(pack, { name: 'index.json' }, Buffer.from(JSON.stringify(index)));
  await addEntry(pack, { name: 'manifest.json' }, Buffer.from(JSON.stringify(manifestJson)));
  await addEntry(pack, { name: 'oci-layout' }, Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })));
  if (Object.keys(repositories).length) await addEntry(pack, { name: 'repositories' }, Buffer.from(JSON.stringify(repositories)));
}

/** `busybox:latest` → ['busybox', 'latest'] (the colon of a registry port is not a tag). */
function splitTag(familiar: string): [string, string] {
  const i = familiar.lastIndexOf(':');
  return i > familiar.lastIndexOf('/') ? [familiar.slice(0, i), familiar.slice(i + 1)] : [familiar, 'latest'];
}

function addEntry(pack: tar.Pack, h: { name: string; type?: 'directory' | 'file' }, body?: Buffer): Promise<void> {
  const header = { ...h, mode: h.type === 'directory' ? 0o755 : 0o644, mtime: epoch };
  return new Promise((resolve, reject) => {
    pack.entry(header, body ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
  });
}

async function addStream(pack: tar.Pack, name: string, size: number, body: Readable): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const sink = pack.entry({ name, size, mode: 0o644, mtime: epoch }, (err) => (err ? reject(err) : resolve()));
    body.on('error', (e) => {
      sink.destroy(e);
      reject(e);
    });
    body.pipe(sink as unknown as NodeJS.WritableStream);
  });
}
