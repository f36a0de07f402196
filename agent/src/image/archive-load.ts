// Reads an image archive — docker-archive (manifest.json) or OCI image layout (index.json) — into
// the content store and says which images it holds. Entries may come in any order, so every
// blob is stored (hash-checked) as it streams past and the small JSON documents are kept in memory.
import type { Readable } from 'node:stream';
import path from 'node:path';
import tar from 'tar-stream';
import { invalid } from '../errors.ts';
import type { ContentStore } from '../store/content-store.ts';
import { entryComponents } from './layer-tree-writer.ts';
import { goArch, type OciDescriptor, type OciIndex, type OciManifest } from './oci-types.ts';
import { normalizeTagged } from './reference.ts';

export interface ArchiveImage {
  /** Config blob digest (the image ID). */
  config: string;
  /** Layer blob digests, base first. */
  layers: string[];
  /** Familiar `name:tag` references to create. */
  refs: string[];
}

export interface ArchiveContents {
  images: ArchiveImage[];
  /** Blobs this read created (the caller deletes them if the load is abandoned). */
  addedBlobs: string[];
}

const metadataFiles = new Set(['manifest.json', 'index.json', 'repositories', 'oci-layout']);
const maxMetadataBytes = 16 << 20;
const blobPath = /^blobs\/sha256\/([a-f0-9]{64})$/;

interface DockerManifestEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

class ArchiveFiles {
  readonly blobs = new Map<string, string>();
  readonly links = new Map<string, string>();
  readonly metadata = new Map<string, Buffer>();
  readonly added: string[] = [];

  /** Digest of the file at `name`, following links inside the archive. */
  digestOf(name: string): string {
    let cur = entryComponents(name).join('/');
    for (let hops = 0; this.links.has(cur); hops++) {
      if (hops > 16) throw invalid(`invalid archive: too many links at ${name}`);
      cur = this.links.get(cur)!;
    }
    const d = this.blobs.get(cur);
    if (!d) throw invalid(`invalid archive: ${name} is missing`);
    return d;
  }

  json<T>(name: string, content?: Buffer): T {
    try {
      return JSON.parse((content ?? this.metadata.get(name)!).toString('utf8')) as T;
    } catch {
      throw invalid(`invalid archive: ${name} is not valid JSON`);
    }
  }
}

/** Streams the archive into the content store; on failure, removes the blobs it added. */
export async function readArchive(input: Readable, content: ContentStore): Promise<ArchiveContents> {
  const files = new ArchiveFiles();
  try {
    await readEntries(input, content, files);
    const images = files.metadata.has('manifest.json')
      ? dockerImages(files)
      : files.metadata.has('index.json')
        ? await ociImages(files, content)
        : undefined;
    if (!images) throw invalid('invalid archive: neither manifest.json nor index.json found (not a docker-archive or OCI layout)');
    return { images, addedBlobs: files.added };
  } catch (e) {
    for (const d of files.added) await content.delete(d);
    throw e;
  }
}

async function readEntries(input: Readable, content: ContentStore, files: ArchiveFiles): Promise<void> {
  const extract = tar.extract();
  input.on('error', (e) => extract.destroy(e));
  input.pipe(extract as unknown as NodeJS.WritableStream);
  try {
    for await (const entry of extract) {
      const h = entry.header;
      const name = entryComponents(h.name).join('/');
      if (h.type === 'symlink' || h.type === 'link') {
        const base = h.type === 'symlink' ? path.posix.dirname(name) : '';
        if (h.type === 'symlink' && h.linkname.startsWith('/')) throw invalid(`invalid archive: ${name} links outside the archive`);
        files.links.set(name, entryComponents(path.posix.join(base, h.linkname)).join('/'));
      } else if (h.type === 'file' || h.type === 'contiguous-file') {
        await readFile(name, entry as unknown as Readable, h.size, content, files);
      }
      entry.resume();
    }
  } catch (e) {
    input.destroy();
    extract.destroy();
    throw e;
  }
}

async function readFile(name: string, body: Readable, size: number, content: ContentStore, files: ArchiveFiles): Promise<void> {
  if (metadataFiles.has(name)) {
    if (size > maxMetadataBytes) throw invalid(`invalid archive: ${name} is too large`);
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(c as Buffer);
    files.metadata.set(name, Buffer.concat(chunks));
    return;
  }
  // Legacy v1 per-layer metadata: unused, manifest.json supersedes it.
  if (/^[^/]+\/(json|VERSION)$/.test(name)) return;
  const m = blobPath.exec(name);
  const put = await content.put(body, m ? `sha256:${m[1]}` : undefined);
  if (!put.existed) files.added.push(put.digest);
  files.blobs.set(name, put.digest);
}

function dockerImages(files: ArchiveFiles): ArchiveImage[] {
  const manifest = files.json<DockerManifestEntry[]>('manifest.json');
  if (!Array.isArray(manifest)) throw invalid('invalid archive: manifest.json is not a list');
  return manifest.map((m) => {
    if (typeof m.Config !== 'string' || !Array.isArray(m.Layers)) throw invalid('invalid archive: bad manifest.json entry');
    return {
      config: files.digestOf(m.Config),
      layers: m.Layers.map((l) => files.digestOf(l)),
      refs: (m.RepoTags ?? []).map(normalizeTagged),
    };
  });
}

async function ociImages(files: ArchiveFiles, content: ContentStore): Promise<ArchiveImage[]> {
  const index = files.json<OciIndex>('index.json');
  if (!Array.isArray(index.manifests)) throw invalid('invalid archive: index.json has no manifests');
  const byConfig = new Map<string, ArchiveImage>();
  for (const desc of index.manifests) {
    const manifest = await resolveManifest(desc, files, content, 0);
    const ref = ociRefName(desc.annotations ?? {});
    const config = blobDigest(files, manifest.config.digest);
    const img = byConfig.get(config) ?? { config, layers: manifest.layers.map((l) => blobDigest(files, l.digest)), refs: [] };
    if (ref && !img.refs.includes(ref)) img.refs.push(ref);
    byConfig.set(config, img);
  }
  return [...byConfig.values()];
}

/** A manifest for this platform, descending through indexes. */
async function resolveManifest(desc: OciDescriptor, files: ArchiveFiles, content: ContentStore, depth: number): Promise<OciManifest> {
  if (depth > 4) throw invalid('invalid archive: indexes nested too deeply');
  const doc = files.json<OciManifest & OciIndex>(desc.digest, await content.read(blobDigest(files, desc.digest)));
  if (Array.isArray(doc.manifests)) {
    const wanted = goArch();
    const pick =
      doc.manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === wanted) ??
      doc.manifests.find((m) => !m.platform && m.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest');
    if (!pick) throw invalid(`invalid archive: no manifest for linux/${wanted}`);
    return resolveManifest(pick, files, content, depth + 1);
  }
  if (!doc.config || !Array.isArray(doc.layers)) throw invalid(`invalid archive: ${desc.digest} is not an image manifest`);
  return doc;
}

function blobDigest(files: ArchiveFiles, digest: string): string {
  const m = /^sha256:([a-f0-9]{64})$/.exec(digest ?? '');
  if (!m) throw invalid(`invalid archive: bad digest "${digest}"`);
  return files.digestOf(`blobs/sha256/${m[1]}`);
}

/** containerd's full name wins; a bare OCI ref.name ("latest") names no repository. */
function ociRefName(annotations: Record<string, string>): string | undefined {
  const full = annotations['io.containerd.image.name'];
  if (full) return normalizeTagged(full);
  const ref = annotations['org.opencontainers.image.ref.name'];
  if (ref && /[:/]/.test(ref)) return normalizeTagged(ref);
  return undefined;
}
