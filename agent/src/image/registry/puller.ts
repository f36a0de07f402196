// `docker pull`: resolve the reference to a manifest (platform chosen from an index), fetch the
// config and layers with Docker's progress messages, and record the image only once every blob
// is verified and every layer unpacked. A failed or cancelled pull releases its lease, which
// deletes whatever it downloaded or unpacked that nothing else uses.
import { EngineError, invalid, isEngineError } from '../../errors.ts';
import type { ImageRecord, ImageStore } from '../image-store.ts';
import type { OciImageConfig } from '../oci-types.ts';
import { familiarName, familiarString, parseReference, repositoryName, withDefaultTag } from '../reference.ts';
import { fetchBlob } from './blob-fetcher.ts';
import { pullLayers } from './layer-puller.ts';
import { checkImagePlatform, resolveManifest } from './manifest-resolver.ts';
import { hostPlatform, parsePlatform } from './platform.ts';
import type { ProgressSink } from './progress.ts';
import { RegistryClient } from './registry-client.ts';
import type { RegistryAuth, RegistryConfig } from './registry-config.ts';

export interface PullOptions {
  auth?: RegistryAuth;
  /** `os/arch[/variant]`; default: the engine's own platform. */
  platform?: string;
  config: RegistryConfig;
  onProgress: ProgressSink;
  signal?: AbortSignal;
  /** Parallel layer downloads (Docker: 3). */
  concurrency?: number;
  /** Length of one second of the retry countdown (tests shorten it). */
  retrySecondMs?: number;
}

export interface PullResult {
  image: ImageRecord;
  /** The digest the reference resolved to (an index's, for multi-platform images). */
  digest: string;
  upToDate: boolean;
}

const maxConfigBytes = 8 << 20;

export async function pull(store: ImageStore, refText: string, opts: PullOptions): Promise<PullResult> {
  const ref = withDefaultTag(parseReference(refText));
  const want = opts.platform ? parsePlatform(opts.platform) : hostPlatform();
  const familiar = familiarString(ref);
  const stop = new AbortController();
  const onAbort = () => stop.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const client = new RegistryClient(ref.domain, ref.path, { auth: opts.auth, config: opts.config, actions: 'pull', signal: stop.signal });
  const lease = store.lease();
  try {
    const resolved = await resolveManifest(client, ref, want);
    opts.onProgress({ type: 'status', status: `Pulling from ${ref.path}`, id: ref.digest ?? ref.tag });
    const { manifest } = resolved;
    const manifestBlob = await store.content.put(resolved.manifestBytes, resolved.manifestDigest);
    lease.addBlob(manifestBlob.digest);

    const configDigest = manifest.config.digest;
    const present = store.tryGet(configDigest)?.id === configDigest;
    if (!present) {
      if (manifest.config.size > maxConfigBytes) throw invalid(`image config ${configDigest} is too large (${manifest.config.size} bytes)`);
      lease.addBlob(configDigest);
      await fetchBlob(client, store.content, manifest.config, {}, { signal: stop.signal, retrySecondMs: opts.retrySecondMs });
    }
    const configBytes = await store.content.read(configDigest);
    const config = parseConfig(configBytes, configDigest);
    if (opts.platform) checkImagePlatform(config, want, ref);
    const diffIds = config.rootfs.diff_ids;
    if (diffIds.length !== manifest.layers.length) {
      throw invalid(`invalid image ${familiar}: the config has ${diffIds.length} diffIDs but the manifest ${manifest.layers.length} layers`);
    }
    if (!present) {
      await pullLayers(store, client, lease, manifest.layers, diffIds, {
        concurrency: opts.concurrency ?? 3,
        retrySecondMs: opts.retrySecondMs,
        signal: stop.signal,
        abort: () => stop.abort(),
        onProgress: opts.onProgress,
      });
    }
    opts.signal?.throwIfAborted();
    const tagRef = ref.digest === undefined ? familiar : undefined;
    const digestRef = `${familiarName(ref)}@${resolved.digest}`;
    const before = store.tryGet(tagRef ?? digestRef)?.id;
    const repository = repositoryName(ref);
    const image = await store.createImage({
      config: configBytes,
      layers: manifest.layers.map((l) => l.digest),
      refs: tagRef ? [tagRef, digestRef] : [digestRef],
      manifest: { digest: resolved.manifestDigest, mediaType: resolved.mediaType, repository },
      blobSources: manifest.layers.map((l, i) => ({ diffId: diffIds[i], source: { digest: l.digest, mediaType: l.mediaType, size: l.size, repository } })),
    });
    const upToDate = before === image.id;
    opts.onProgress({ type: 'status', status: `Digest: ${resolved.digest}` });
    opts.onProgress({ type: 'status', status: `Status: ${upToDate ? 'Image is up to date' : 'Downloaded newer image'} for ${familiar}` });
    return { image, digest: resolved.digest, upToDate };
  } catch (e) {
    if (opts.signal?.aborted && !isEngineError(e)) throw new EngineError('Unavailable', 'pull cancelled', { cause: e });
    throw e;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    await lease.release();
  }
}

function parseConfig(bytes: Buffer, digest: string): OciImageConfig {
  let config: OciImageConfig;
  try {
    config = JSON.parse(bytes.toString('utf8')) as OciImageConfig;
  } catch {
    throw invalid(`invalid image config ${digest}: not JSON`);
  }
  if (!config || !Array.isArray(config.rootfs?.diff_ids)) throw invalid(`invalid image config ${digest}: no rootfs.diff_ids`);
  return config;
}
