// Hand-made image content for the crafted test registry: layer tars from file lists, gzip/zstd/none
// compression, configs and manifests (OCI or Docker schema2), a schema1 manifest, and the layers
// that try to escape the unpack root. Deterministic: fixed mtimes, no randomness.
import { spawn } from 'node:child_process';
import { createHash, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { goArch } from '../../agent/src/image/oci-types.ts';
import { fixtureTime, sha256, tarOf } from '../fixtures/fixture-archive.ts';

export { busyboxBaseLayer } from '../fixtures/busybox-layer.ts';

export type TarEntry = Parameters<typeof tarOf>[0][number];
/** Either tar entries in order, or path → content (parent directories are added). */
export type LayerFiles = TarEntry[] | Record<string, string | Buffer>;
export type LayerSpec = { files: LayerFiles } | Buffer;
export type Compression = 'gzip' | 'zstd' | 'none';

export const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: { gzip: 'application/vnd.oci.image.layer.v1.tar+gzip', zstd: 'application/vnd.oci.image.layer.v1.tar+zstd', none: 'application/vnd.oci.image.layer.v1.tar' },
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: { gzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip', none: 'application/vnd.docker.image.rootfs.diff.tar' },
  schema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  schema1: 'application/vnd.docker.distribution.manifest.v1+json',
} as const;

/** Layer tar from a spec (a Buffer is taken as an already-built uncompressed tar). */
export async function layerTar(spec: LayerSpec): Promise<Buffer> {
  if (Buffer.isBuffer(spec)) return spec;
  if (Array.isArray(spec.files)) return tarOf(spec.files);
  const entries: TarEntry[] = [];
  const dirs = new Set<string>();
  for (const [name, body] of Object.entries(spec.files)) {
    const parts = name.replace(/^\/+/, '').split('/');
    for (let i = 1; i < parts.length; i++) {
      const d = `${parts.slice(0, i).join('/')}/`;
      if (!dirs.has(d)) {
        dirs.add(d);
        entries.push({ name: d, type: 'directory' });
      }
    }
    entries.push({ name: parts.join('/'), type: 'file', body });
  }
  return tarOf(entries);
}

/** Compresses with gzip (zlib), zstd (the `zstd` CLI) or not at all. */
export async function compress(tar: Buffer, how: Compression): Promise<Buffer> {
  if (how === 'none') return tar;
  if (how === 'gzip') return gzipSync(tar);
  return new Promise((resolve, reject) => {
    const child = spawn('zstd', ['-q', '-c', '-3'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b) => (err += b));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`zstd failed (${code}): ${err}`))));
    child.stdin.end(tar);
  });
}

/** Layers that must be refused; each leaves a marker named after itself if the refusal fails. */
export const EVIL_LAYERS = {
  /** `../escape-dotdot` (and a deeper variant). */
  dotdot: (): LayerSpec => ({ files: [{ name: '../berth-escape-dotdot', type: 'file', body: 'escaped\n' }] }),
  deepDotdot: (): LayerSpec => ({ files: [{ name: 'a/../../../../../../tmp/berth-escape-deep', type: 'file', body: 'escaped\n' }] }),
  /** An absolute name. */
  absolute: (): LayerSpec => ({ files: [{ name: '/tmp/berth-escape-absolute', type: 'file', body: 'escaped\n' }] }),
  /** `evil -> /` then a write through it to /tmp/berth-escape-symlink. */
  symlinkRoot: (): LayerSpec => ({
    files: [
      { name: 'evil', type: 'symlink', linkname: '/' },
      { name: 'evil/tmp/berth-escape-symlink', type: 'file', body: 'pwned\n' },
    ],
  }),
  /** Relative variant: `up -> ../../../../..` then a write through it. */
  symlinkUp: (): LayerSpec => ({
    files: [
      { name: 'up', type: 'symlink', linkname: '../../../../../../../..' },
      { name: 'up/tmp/berth-escape-symlink-up', type: 'file', body: 'pwned\n' },
    ],
  }),
  /** A hardlink to the host's /etc/passwd (absolute linkname). */
  hardlinkPasswd: (): LayerSpec => ({ files: [{ name: 'passwd-link', type: 'link', linkname: '/etc/passwd' }] }),
  /** A hardlink reaching out with `..`. */
  hardlinkDotdot: (): LayerSpec => ({ files: [{ name: 'passwd-link', type: 'link', linkname: '../../../../../../../../etc/passwd' }] }),
};

/** The marker files EVIL_LAYERS would leave on the host if unpacking let them out. */
export const ESCAPE_MARKERS = ['/tmp/berth-escape-deep', '/tmp/berth-escape-absolute', '/tmp/berth-escape-symlink', '/tmp/berth-escape-symlink-up'];

export interface ImageSpec {
  layers: LayerSpec[];
  /** Merged over the default config (architecture = this host's, os linux, Cmd sh). */
  config?: Record<string, unknown>;
  compression?: Compression;
  /** 'oci' (default) or 'docker' schema2; zstd needs 'oci'. */
  format?: 'oci' | 'docker';
}

export interface BuiltImage {
  manifest: Buffer;
  mediaType: string;
  config: Buffer;
  /** Compressed layer blobs, in order. */
  layers: Buffer[];
  diffIds: string[];
  platform: { os: string; architecture: string; variant?: string };
}

export async function buildImage(spec: ImageSpec): Promise<BuiltImage> {
  const how = spec.compression ?? 'gzip';
  const format = spec.format ?? 'oci';
  if (format === 'docker' && how === 'zstd') throw new Error('zstd layers need format oci');
  const tars = await Promise.all(spec.layers.map(layerTar));
  const layers = await Promise.all(tars.map((t) => compress(t, how)));
  const diffIds = tars.map((t) => sha256(t));
  const { config: runConfig, ...rest } = spec.config ?? {};
  const cfg: Record<string, unknown> = {
    architecture: goArch(),
    os: 'linux',
    created: fixtureTime.toISOString(),
    ...rest,
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'], ...(runConfig as object | undefined) },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: tars.map(() => ({ created: fixtureTime.toISOString(), created_by: '/bin/sh -c #(nop) ADD crafted /' })),
  };
  const config = Buffer.from(JSON.stringify(cfg));
  const layerType = format === 'oci' ? MEDIA.ociLayer[how] : MEDIA.dockerLayer[how as 'gzip' | 'none'];
  const mediaType = format === 'oci' ? MEDIA.ociManifest : MEDIA.dockerManifest;
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      config: { mediaType: format === 'oci' ? MEDIA.ociConfig : MEDIA.dockerConfig, digest: sha256(config), size: config.length },
      layers: layers.map((l) => ({ mediaType: layerType, digest: sha256(l), size: l.length })),
    }),
  );
  const platform = { os: String(cfg.os), architecture: String(cfg.architecture), ...(cfg.variant ? { variant: String(cfg.variant) } : {}) };
  return { manifest, mediaType, config, layers, diffIds, platform };
}

export function indexOf(entries: Array<{ manifest: Buffer; mediaType: string; platform: BuiltImage['platform'] }>, format: 'oci' | 'docker' = 'oci'): { body: Buffer; mediaType: string } {
  const mediaType = format === 'oci' ? MEDIA.ociIndex : MEDIA.dockerList;
  const body = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      manifests: entries.map((e) => ({ mediaType: e.mediaType, digest: sha256(e.manifest), size: e.manifest.length, platform: e.platform })),
    }),
  );
  return { body, mediaType };
}

/**
 * A schema1 signed manifest (prettyjws) as old registries served it, signed for real with a fresh
 * ES256 key in libtrust's format (formatLength/formatTail), so a client that parses schema1 gets
 * past the signature; Berth must refuse it by media type with a clear message.
 */
export function schema1Manifest(name: string, tag: string, layerDigests: string[]): Buffer {
  const ids = layerDigests.map((_, i) => sha256(`${name}:${tag}:${i}`).slice(7));
  const m = {
    schemaVersion: 1,
    name,
    tag,
    architecture: goArch(),
    fsLayers: layerDigests.map((blobSum) => ({ blobSum })),
    // Newest first, like schema1: entry i describes fsLayers[i]; parents chain to the oldest.
    history: ids.map((id, i) => ({ v1Compatibility: JSON.stringify({ id, ...(ids[i + 1] ? { parent: ids[i + 1] } : {}), created: fixtureTime.toISOString(), ...(i === 0 ? { architecture: goArch(), os: 'linux', config: { Cmd: ['sh'] } } : {}) }) })),
  };
  const content = Buffer.from(JSON.stringify(m, null, 3));
  const close = content.lastIndexOf('}');
  let formatLength = close;
  while (formatLength > 0 && /\s/.test(String.fromCharCode(content[formatLength - 1]))) formatLength--;
  const formatTail = content.subarray(formatLength);
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const protectedHeader = Buffer.from(JSON.stringify({ formatLength, formatTail: formatTail.toString('base64url'), time: fixtureTime.toISOString() })).toString('base64url');
  const payload = content.toString('base64url');
  const signature = createSign('SHA256').update(`${protectedHeader}.${payload}`).sign({ key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  const sigs = [{ header: { jwk: { crv: jwk.crv, kid: libtrustKid(publicKey), kty: jwk.kty, x: jwk.x, y: jwk.y }, alg: 'ES256' }, signature, protected: protectedHeader }];
  const sigJson = JSON.stringify(sigs, null, 3).replace(/\n/g, '\n   ');
  return Buffer.concat([content.subarray(0, formatLength), Buffer.from(`,\n   "signatures": ${sigJson}`), formatTail]);
}

/** libtrust key ID: sha256 of the DER public key, 240 bits, base32, groups of 4. */
function libtrustKid(key: KeyObject): string {
  const sum = createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest().subarray(0, 30);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let out = '';
  for (let bit = 0; bit + 5 <= sum.length * 8; bit += 5) {
    let v = 0;
    for (let k = 0; k < 5; k++) v = (v << 1) | ((sum[(bit + k) >> 3] >> (7 - ((bit + k) & 7))) & 1);
    out += alphabet[v];
  }
  return out.match(/.{4}/g)!.join(':');
}
