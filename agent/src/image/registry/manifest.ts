// Registry manifests: the media types we ask for, telling an index from an image manifest from
// the refused schema1, and checking the fields the puller relies on before it trusts them.
import { createHash } from 'node:crypto';
import { invalid } from '../../errors.ts';
import type { OciDescriptor, OciIndex, OciManifest } from '../oci-types.ts';

export const manifestTypes = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  schema1: 'application/vnd.docker.distribution.manifest.v1+json',
  schema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

export const layerTypes = {
  dockerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeign: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  ociTar: 'application/vnd.oci.image.layer.v1.tar',
  ociGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociNondistTar: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  ociNondistGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  ociNondistZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
} as const;

export const configTypes = {
  docker: 'application/vnd.docker.container.image.v1+json',
  oci: 'application/vnd.oci.image.config.v1+json',
} as const;

/** Accept header for manifest GETs: without it a registry may rewrite to schema1. */
export const manifestAccept = [manifestTypes.ociIndex, manifestTypes.ociManifest, manifestTypes.dockerList, manifestTypes.dockerManifest, `${manifestTypes.schema1Signed};q=0.1`, `${manifestTypes.schema1};q=0.1`].join(', ');

const layerTypeSet = new Set<string>(Object.values(layerTypes));
const foreignTypes = new Set<string>([layerTypes.dockerForeign, layerTypes.ociNondistTar, layerTypes.ociNondistGzip, layerTypes.ociNondistZstd]);
const digestRe = /^sha256:[a-f0-9]{64}$/;

export type ParsedManifest =
  | { kind: 'index'; mediaType: string; index: OciIndex }
  | { kind: 'manifest'; mediaType: string; manifest: OciManifest };

export function sha256Digest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function isForeignLayer(d: OciDescriptor): boolean {
  return foreignTypes.has(d.mediaType);
}

/**
 * Classifies manifest bytes by their own mediaType, then the Content-Type, then their shape.
 * `ref` is the familiar reference, for the schema1 message.
 */
export function parseManifest(bytes: Buffer, contentType: string | undefined, ref: string): ParsedManifest {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw invalid(`invalid manifest for ${ref}: not JSON`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw invalid(`invalid manifest for ${ref}: not a JSON object`);
  const header = contentType?.split(';')[0].trim();
  const declared = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  const type = declared ?? (header && header !== 'application/json' && header !== 'text/plain' ? header : undefined);
  if (type === manifestTypes.schema1 || type === manifestTypes.schema1Signed || doc.schemaVersion === 1) {
    throw invalid(
      `[DEPRECATION NOTICE] Docker Image Format v1 and Docker Image manifest version 2, schema 1 support has been removed. Suggest the author of ${ref} to upgrade the image to the OCI Format or Docker Image manifest v2, schema 2. More information at https://docs.docker.com/go/deprecated-image-specs/`,
    );
  }
  if (doc.schemaVersion !== 2) throw invalid(`invalid manifest for ${ref}: unsupported schemaVersion ${String(doc.schemaVersion)}`);
  const isIndex = type === manifestTypes.ociIndex || type === manifestTypes.dockerList || (type === undefined && Array.isArray(doc.manifests));
  if (isIndex) return { kind: 'index', mediaType: type ?? manifestTypes.ociIndex, index: checkIndex(doc, ref) };
  const isManifest = type === manifestTypes.ociManifest || type === manifestTypes.dockerManifest || (type === undefined && doc.config !== undefined);
  if (isManifest) return { kind: 'manifest', mediaType: type ?? manifestTypes.ociManifest, manifest: checkManifest(doc, ref) };
  throw invalid(`unsupported manifest media type for ${ref}: ${type ?? 'unknown'}`);
}

function checkDescriptor(d: unknown, ref: string, what: string): OciDescriptor {
  const o = d as OciDescriptor;
  if (!o || typeof o !== 'object' || typeof o.mediaType !== 'string' || typeof o.digest !== 'string' || typeof o.size !== 'number') {
    throw invalid(`invalid manifest for ${ref}: malformed ${what} descriptor`);
  }
  if (!digestRe.test(o.digest)) throw invalid(`invalid manifest for ${ref}: unsupported digest "${o.digest}" in ${what}`);
  if (!Number.isSafeInteger(o.size) || o.size < 0) throw invalid(`invalid manifest for ${ref}: bad size in ${what}`);
  return o;
}

function checkIndex(doc: Record<string, unknown>, ref: string): OciIndex {
  if (!Array.isArray(doc.manifests)) throw invalid(`invalid manifest list for ${ref}: no manifests`);
  const manifests = doc.manifests.map((m) => checkDescriptor(m, ref, 'manifest list entry'));
  return { ...(doc as unknown as OciIndex), manifests };
}

function checkManifest(doc: Record<string, unknown>, ref: string): OciManifest {
  const config = checkDescriptor(doc.config, ref, 'config');
  if (!Array.isArray(doc.layers)) throw invalid(`invalid manifest for ${ref}: no layers`);
  const layers = doc.layers.map((l) => checkDescriptor(l, ref, 'layer'));
  for (const l of layers) {
    if (!layerTypeSet.has(l.mediaType)) throw invalid(`unsupported layer media type ${l.mediaType} in ${ref}`);
  }
  return { ...(doc as unknown as OciManifest), config, layers };
}
