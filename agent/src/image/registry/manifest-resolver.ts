// From a reference to the one image manifest to pull: fetch (mirrors first for Docker Hub),
// check the bytes against the digest asked for, and pick the platform out of an index.
import { notFound } from '../../errors.ts';
import type { OciManifest } from '../oci-types.ts';
import { familiarName, familiarString, type Reference } from '../reference.ts';
import { headerValue, readBody } from './http-transport.ts';
import { manifestAccept, parseManifest, sha256Digest } from './manifest.ts';
import { formatPlatform, platformMatches, selectPlatform, type Platform } from './platform.ts';
import { invalid } from '../../errors.ts';
import { RegistryHttpError, type RegistryClient } from './registry-client.ts';

export interface ResolvedManifest {
  /** What the reference points at (an index or the manifest itself): the repo digest. */
  digest: string;
  manifest: OciManifest;
  manifestBytes: Buffer;
  manifestDigest: string;
  mediaType: string;
}

export interface FetchedManifest {
  bytes: Buffer;
  contentType?: string;
  digest: string;
}

const maxManifestBytes = 4 << 20;

/** GET one manifest; when `reference` is a digest, the bytes must hash to it. */
export async function fetchManifest(client: RegistryClient, reference: string, ref: Reference): Promise<FetchedManifest> {
  const res = await client.request({ method: 'GET', url: `/v2/${client.repository}/manifests/${reference}`, headers: { Accept: manifestAccept } });
  try {
    await client.expect(res, [200], 'manifest');
  } catch (e) {
    throw translatePullError(e, ref);
  }
  const bytes = await readBody(res, maxManifestBytes);
  const digest = sha256Digest(bytes);
  const claimed = headerValue(res.headers, 'docker-content-digest');
  if (reference.startsWith('sha256:') && digest !== reference) {
    throw invalid(`manifest verification failed for digest ${reference}: the registry sent bytes with digest ${digest}`);
  }
  if (claimed?.startsWith('sha256:') && claimed !== digest) {
    throw invalid(`manifest verification failed for ${familiarString(ref)}: Docker-Content-Digest says ${claimed}, the bytes hash to ${digest}`);
  }
  return { bytes, contentType: headerValue(res.headers, 'content-type'), digest };
}

/** Docker's translatePullError: registry "not there" answers become NotFound with its texts. */
export function translatePullError(e: unknown, ref: Reference): unknown {
  if (!(e instanceof RegistryHttpError)) return e;
  const codes = e.errors.map((x) => x.code);
  if (codes.includes('DENIED') || (e.status === 401 && codes.includes('UNAUTHORIZED'))) {
    return notFound(`pull access denied for ${familiarName(ref)}, repository does not exist or may require 'docker login': ${e.message}`);
  }
  if (codes.includes('MANIFEST_UNKNOWN') || (e.status === 404 && !codes.length)) return notFound(`manifest for ${familiarString(ref)} not found: ${e.message}`);
  if (codes.includes('NAME_UNKNOWN')) return notFound(`repository ${familiarName(ref)} not found: ${e.message}`);
  return e;
}

/**
 * Resolves `ref` to an image manifest for `want`. `strictPlatform` (an explicit --platform)
 * also checks a single manifest's config platform, which the caller does once it has the config.
 */
export async function resolveManifest(client: RegistryClient, ref: Reference, want: Platform): Promise<ResolvedManifest> {
  const reference = ref.digest ?? ref.tag ?? 'latest';
  const familiar = familiarString(ref);
  let top: FetchedManifest;
  for (;;) {
    try {
      top = await fetchManifest(client, reference, ref);
      break;
    } catch (e) {
      // A mirror that fails in any way falls back to the next one, then to the origin.
      if (client.endpoint.mirror && client.nextEndpoint()) continue;
      throw e;
    }
  }
  const parsed = parseManifest(top.bytes, top.contentType, familiar);
  if (parsed.kind === 'manifest') {
    return { digest: top.digest, manifest: parsed.manifest, manifestBytes: top.bytes, manifestDigest: top.digest, mediaType: parsed.mediaType };
  }
  const entry = selectPlatform(parsed.index.manifests, want);
  if (!entry) throw notFound(`no matching manifest for ${formatPlatform(want)} in the manifest list entries`);
  const child = await fetchManifest(client, entry.digest, ref);
  const inner = parseManifest(child.bytes, child.contentType ?? entry.mediaType, familiar);
  if (inner.kind !== 'manifest') throw invalid(`invalid manifest list for ${familiar}: entry ${entry.digest} is itself an index`);
  return { digest: top.digest, manifest: inner.manifest, manifestBytes: child.bytes, manifestDigest: child.digest, mediaType: inner.mediaType };
}

/** Docker's check for a single-manifest image pulled with an explicit --platform. */
export function checkImagePlatform(config: { os?: string; architecture?: string; variant?: string }, want: Platform, ref: Reference): void {
  if (platformMatches(config, want)) return;
  const actual = formatPlatform({ os: config.os ?? '', architecture: config.architecture ?? '', variant: config.variant });
  throw notFound(`image with reference ${familiarString(ref)} was found but does not match the specified platform: wanted ${formatPlatform(want)}, actual: ${actual}`);
}
