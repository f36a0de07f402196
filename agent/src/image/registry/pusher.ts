// `docker push`: every layer (skipped when the registry has it, mounted from another repository
// of the same registry when we know one, else uploaded), then the config, then the manifest —
// the very bytes the image was pulled with when they still describe what we pushed, else a
// Docker schema2 manifest (OCI when a layer is zstd). Ends with Docker's aux {Tag, Digest, Size}.
import { EngineError, invalid, isEngineError } from '../../errors.ts';
import type { ImageRecord, ImageStore, KeptManifest } from '../image-store.ts';
import type { Readable } from 'node:stream';
import type { OciDescriptor, OciManifest } from '../oci-types.ts';
import { familiarName, parseReference, repositoryName, withDefaultTag, type Reference } from '../reference.ts';
import { cancelUpload, findOrMount, putBlob, type UploadOutcome } from './blob-uploader.ts';
import { configTypes, layerTypes, manifestTypes, sha256Digest } from './manifest.ts';
import { ProgressThrottle, shortId, type ProgressSink } from './progress.ts';
import { describeLayer, gzipToTemp, type PushableLayer } from './push-layer.ts';
import { RegistryClient } from './registry-client.ts';
import type { RegistryAuth, RegistryConfig } from './registry-config.ts';
import { repositoryScope } from './auth-challenge.ts';

export interface PushOptions {
  auth?: RegistryAuth;
  config: RegistryConfig;
  onProgress: ProgressSink;
  signal?: AbortSignal;
  /** Parallel layer uploads. */
  concurrency?: number;
  /** Blobs above this many bytes go up as a streamed PATCH (default 5 MiB). */
  chunkedThreshold?: number;
}

export interface PushResult {
  digest: string;
  size: number;
  tag: string;
}

export async function push(store: ImageStore, refText: string, opts: PushOptions): Promise<PushResult> {
  const ref = withDefaultTag(parseReference(refText));
  if (ref.digest !== undefined) throw invalid('cannot push a digest reference');
  const tag = ref.tag!;
  const image = store.tryGet(`${familiarName(ref)}:${tag}`);
  if (!image) throw new EngineError('NotFound', `An image does not exist locally with the tag: ${familiarName(ref)}`);
  const repository = repositoryName(ref);
  opts.onProgress({ type: 'status', status: `The push refers to repository [${repository}]` });

  const layers = await Promise.all(image.chainIds.map((c) => describeLayer(store, c, ref.domain)));
  const mountFrom = [...new Set(layers.flatMap((l) => l.known.map((s) => s.repository.slice(ref.domain.length + 1))))].filter((r) => r !== ref.path);
  const client = new RegistryClient(ref.domain, ref.path, {
    auth: opts.auth,
    config: opts.config,
    actions: 'pull,push',
    extraScopes: mountFrom.map((r) => repositoryScope(r, 'pull')),
    signal: opts.signal,
    forPush: true,
  });
  try {
    const pushed = await pushLayers(store, client, layers, ref, opts);
    const configBytes = await store.content.read(image.id);
    const configDesc = { mediaType: configTypes.docker, digest: image.id, size: configBytes.length };
    await putBlob(client, configDesc, { mountFrom: [], open: async () => store.content.get(image.id), onBytes: () => undefined });
    const { bytes, mediaType } = await manifestFor(store, image, repository, configDesc, pushed);
    const digest = await putManifest(client, tag, bytes, mediaType);
    opts.onProgress({ type: 'status', status: `${tag}: digest: ${digest} size: ${bytes.length}` });
    opts.onProgress({ type: 'aux', aux: { Tag: tag, Digest: digest, Size: bytes.length } });
    await record(store, image, ref, { digest, mediaType, repository }, bytes, layers, pushed);
    return { digest, size: bytes.length, tag };
  } catch (e) {
    if (opts.signal?.aborted && !isEngineError(e)) throw new EngineError('Unavailable', 'push cancelled', { cause: e });
    throw e;
  }
}

async function pushLayers(store: ImageStore, client: RegistryClient, layers: PushableLayer[], ref: Reference, opts: PushOptions): Promise<OciDescriptor[]> {
  const limit = opts.concurrency ?? 3;
  const emit = (l: PushableLayer, status: string, current?: number, total?: number) =>
    opts.onProgress({ type: 'layer', id: shortId(l.diffId), status, ...(total !== undefined ? { current, total } : {}) });
  const unique = [...new Map(layers.map((l) => [l.diffId, l])).values()];
  for (const l of unique) emit(l, 'Preparing');
  unique.forEach((l, i) => i >= limit && emit(l, 'Waiting'));
  const results = new Map<string, OciDescriptor>();
  let next = 0;
  const worker = async () => {
    while (next < unique.length) {
      const l = unique[next++];
      results.set(l.diffId, await pushLayer(store, client, l, ref, opts, (s, c, t) => emit(l, s, c, t)));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, unique.length) }, worker));
  return layers.map((l) => results.get(l.diffId)!);
}

async function pushLayer(
  store: ImageStore,
  client: RegistryClient,
  l: PushableLayer,
  ref: Reference,
  opts: PushOptions,
  emit: (status: string, current?: number, total?: number) => void,
): Promise<OciDescriptor> {
  const sourcesOf = (digest: string) => l.known.filter((s) => s.digest === digest).map((s) => s.repository.slice(ref.domain.length + 1));
  const report = (o: UploadOutcome) => emit(o.kind === 'exists' ? 'Layer already exists' : o.kind === 'mounted' ? `Mounted from ${o.from}` : 'Pushed');
  const upload = async (desc: OciDescriptor, open: () => Promise<Readable>) => {
    const bar = new ProgressThrottle((n) => emit('Pushing', n, desc.size));
    const outcome = await putBlob(client, desc, { mountFrom: sourcesOf(desc.digest), open, onBytes: (n) => bar.update(n), threshold: opts.chunkedThreshold });
    if (outcome.kind === 'uploaded') bar.update(desc.size, true);
    report(outcome);
    return desc;
  };
  if (l.stored) return upload(l.stored, () => store.content.get(l.stored!.digest));
  // An uncompressed layer: a gzip we pushed before may already be there, or be mountable.
  for (const s of l.known) {
    if (!s.mediaType.includes('gzip')) continue;
    const found = await findOrMount(client, s.digest, sourcesOf(s.digest));
    if (found.kind === 'missing') {
      if (found.location) await cancelUpload(client, found.location);
      continue;
    }
    report(found);
    return { mediaType: s.mediaType, digest: s.digest, size: s.size };
  }
  const gz = await gzipToTemp(store, l.tarBlob!);
  try {
    return await upload(gz.desc, gz.open);
  } finally {
    await gz.remove();
  }
}

/** The kept manifest when it describes exactly these blobs (bit-for-bit re-push), else a new one. */
async function manifestFor(store: ImageStore, image: ImageRecord, repository: string, config: OciDescriptor, layers: OciDescriptor[]): Promise<{ bytes: Buffer; mediaType: string }> {
  const kept = [...(image.manifests ?? [])].sort((a, b) => Number(b.repository === repository) - Number(a.repository === repository));
  for (const m of kept) {
    const bytes = await store.content.read(m.digest).catch(() => undefined);
    if (!bytes) continue;
    try {
      const doc = JSON.parse(bytes.toString('utf8')) as OciManifest;
      const same = doc.config?.digest === image.id && doc.layers?.length === layers.length && doc.layers.every((d, i) => d.digest === layers[i].digest);
      if (same) return { bytes, mediaType: m.mediaType };
    } catch {
      continue;
    }
  }
  const oci = layers.some((l) => l.mediaType.startsWith('application/vnd.oci.'));
  const toOci = (t: string) => (t === layerTypes.dockerGzip ? layerTypes.ociGzip : t);
  const doc = oci
    ? { schemaVersion: 2, mediaType: manifestTypes.ociManifest, config: { ...config, mediaType: configTypes.oci }, layers: layers.map((l) => ({ mediaType: toOci(l.mediaType), size: l.size, digest: l.digest })) }
    : { schemaVersion: 2, mediaType: manifestTypes.dockerManifest, config: { mediaType: config.mediaType, size: config.size, digest: config.digest }, layers: layers.map((l) => ({ mediaType: l.mediaType, size: l.size, digest: l.digest })) };
  // Docker marshals schema2 manifests with a three-space indent.
  return { bytes: Buffer.from(JSON.stringify(doc, null, 3)), mediaType: doc.mediaType };
}

async function putManifest(client: RegistryClient, tag: string, bytes: Buffer, mediaType: string): Promise<string> {
  const res = await client.request({ method: 'PUT', url: `/v2/${client.repository}/manifests/${tag}`, headers: { 'Content-Type': mediaType }, body: bytes });
  await client.expect(res, [201, 200, 202], 'manifest');
  res.body.resume();
  const digest = sha256Digest(bytes);
  const claimed = res.headers['docker-content-digest'];
  if (typeof claimed === 'string' && claimed.startsWith('sha256:') && claimed !== digest) {
    throw new EngineError('Internal', `the registry stored the manifest as ${claimed}, but its bytes hash to ${digest}`);
  }
  return digest;
}

/** Docker records the pushed digest as a repo digest; we also keep the manifest and where each layer now lives. */
async function record(store: ImageStore, image: ImageRecord, ref: Reference, manifest: KeptManifest, bytes: Buffer, layers: PushableLayer[], pushed: OciDescriptor[]): Promise<void> {
  const lease = store.lease();
  lease.addBlob(manifest.digest);
  try {
    await store.content.put(bytes, manifest.digest);
    await store.createImage({
      config: await store.content.read(image.id),
      layers: image.chainIds.map((c) => store.snapshots.get(c).blob!),
      refs: [`${familiarName(ref)}@${manifest.digest}`],
      manifest,
      blobSources: layers.map((l, i) => ({ diffId: l.diffId, source: { digest: pushed[i].digest, mediaType: pushed[i].mediaType, size: pushed[i].size, repository: manifest.repository } })),
    });
  } finally {
    await lease.release();
  }
}
