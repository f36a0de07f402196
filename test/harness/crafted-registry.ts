// A small registry (node http on 127.0.0.1, random port) serving hand-made content, for the tests a
// real registry cannot do: wrong bytes for a digest, schema1, escaping layers, multi-arch indexes,
// a blob connection dropped halfway (then resumed with Range), zstd layers. Pull side only: pushes
// get 405. Content is in memory; see crafted-images.ts for the builders.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { sha256 } from '../fixtures/fixture-archive.ts';
import { buildImage, busyboxBaseLayer, indexOf, MEDIA, schema1Manifest, type BuiltImage, type ImageSpec } from './crafted-images.ts';

export { EVIL_LAYERS, ESCAPE_MARKERS, MEDIA, busyboxBaseLayer, buildImage, layerTar, compress } from './crafted-images.ts';
export type { ImageSpec, LayerSpec, LayerFiles, TarEntry, Compression, BuiltImage } from './crafted-images.ts';

export interface CraftedRequest {
  method: string;
  path: string;
  range?: string;
  accept?: string;
  status: number;
}

export interface MultiArch {
  /** Digest of the index. */
  index: string;
  manifests: { amd64: string; arm64: string };
  /** Config digests = the image IDs a client ends up with. */
  configs: { amd64: string; arm64: string };
}

export interface CraftedRegistry {
  /** '127.0.0.1:PORT' */
  host: string;
  url: string;
  /** Builds and stores an image; returns its manifest digest. */
  addImage(repo: string, tag: string, spec: ImageSpec): Promise<string>;
  /** Like addImage, also returning the blobs (config digest = image ID, layer digests…). */
  addImageFull(repo: string, tag: string, spec: ImageSpec): Promise<BuiltImage & { digest: string }>;
  /**
   * An OCI index (or Docker manifest list) with linux/amd64 and linux/arm64 entries. Each image is
   * busybox-based, has /arch containing its architecture and a label `arch`, so a test can tell
   * which one a pull chose. Only the host's own architecture's image actually runs.
   */
  addMultiArch(repo: string, tag: string, opts?: { format?: 'oci' | 'docker'; compression?: ImageSpec['compression'] }): Promise<MultiArch>;
  /** A schema1 signed manifest (prettyjws) under repo:tag; returns its digest. */
  addSchema1(repo: string, tag: string): Promise<string>;
  putBlob(data: Buffer): string;
  putManifest(repo: string, tags: string[], body: Buffer, mediaType: string): string;
  /** Serve bytes that do not hash to `digest` (same length, last byte flipped). */
  corruptBlob(digest: string): void;
  /** Requests resolving to this manifest get other bytes, with Docker-Content-Digest still claiming `digest`. */
  corruptManifest(digest: string): void;
  /** The next full GET of this blob sends `atByte` bytes (default: half) then drops the connection. */
  dropBlobOnce(digest: string, atByte?: number): void;
  /** Every request served, in order. */
  requests: CraftedRequest[];
  blobGets(digest: string): CraftedRequest[];
  stop(): Promise<void>;
}

interface StoredManifest {
  body: Buffer;
  mediaType: string;
}

const errorBody = (code: string, message: string) => JSON.stringify({ errors: [{ code, message, detail: null }] });

export async function startCraftedRegistry(): Promise<CraftedRegistry> {
  const blobs = new Map<string, Buffer>();
  const manifests = new Map<string, StoredManifest>(); // by digest
  const tags = new Map<string, string>(); // `${repo}:${tag}` → digest
  const repoManifests = new Map<string, Set<string>>(); // repo → digests it holds
  const corruptBlobs = new Set<string>();
  const corruptManifests = new Set<string>();
  const drops = new Map<string, number | undefined>();
  const requests: CraftedRequest[] = [];

  const putBlob = (data: Buffer) => {
    const d = sha256(data);
    blobs.set(d, data);
    return d;
  };
  const putManifest = (repo: string, tagList: string[], body: Buffer, mediaType: string) => {
    const d = sha256(body);
    manifests.set(d, { body, mediaType });
    if (!repoManifests.has(repo)) repoManifests.set(repo, new Set());
    repoManifests.get(repo)!.add(d);
    for (const t of tagList) tags.set(`${repo}:${t}`, d);
    return d;
  };
  const storeImage = (repo: string, tagList: string[], img: BuiltImage) => {
    putBlob(img.config);
    for (const l of img.layers) putBlob(l);
    return putManifest(repo, tagList, img.manifest, img.mediaType);
  };

  const serveManifest = (req: http.IncomingMessage, res: http.ServerResponse, repo: string, ref: string) => {
    const digest = ref.startsWith('sha256:') ? ref : tags.get(`${repo}:${ref}`);
    const m = digest ? manifests.get(digest) : undefined;
    if (!digest || !m || !repoManifests.get(repo)?.has(digest)) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(errorBody('MANIFEST_UNKNOWN', 'manifest unknown'));
      return 404;
    }
    const body = corruptManifests.has(digest) ? Buffer.concat([m.body, Buffer.from('\n')]) : m.body;
    res.writeHead(200, { 'content-type': m.mediaType, 'content-length': body.length, 'docker-content-digest': digest });
    res.end(req.method === 'HEAD' ? undefined : body);
    return 200;
  };

  const serveBlob = (req: http.IncomingMessage, res: http.ServerResponse, digest: string) => {
    const stored = blobs.get(digest);
    if (!stored) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(errorBody('BLOB_UNKNOWN', 'blob unknown to registry'));
      return 404;
    }
    let data = stored;
    if (corruptBlobs.has(digest)) {
      data = Buffer.from(stored);
      data[data.length - 1] ^= 0xff;
    }
    const headers = { 'content-type': 'application/octet-stream', 'docker-content-digest': digest, 'accept-ranges': 'bytes' };
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (req.headers.range && (!range || Number(range[1]) >= data.length)) {
      res.writeHead(416, { 'content-range': `bytes */${data.length}` }).end();
      return 416;
    }
    if (req.method === 'HEAD') {
      res.writeHead(200, { ...headers, 'content-length': data.length }).end();
      return 200;
    }
    let start = 0;
    let end = data.length - 1;
    let status = 200;
    if (range) {
      start = Number(range[1]);
      end = range[2] ? Math.min(Number(range[2]), end) : end;
      status = 206;
      res.writeHead(206, { ...headers, 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${data.length}` });
    } else res.writeHead(200, { ...headers, 'content-length': data.length });
    if (drops.has(digest) && !range) {
      const at = drops.get(digest) ?? Math.floor(data.length / 2);
      drops.delete(digest);
      res.write(data.subarray(0, at), () => setTimeout(() => res.socket?.destroy(), 20));
      return status;
    }
    res.end(data.subarray(start, end + 1));
    return status;
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const p = decodeURIComponent(url.pathname);
    let status = 404;
    res.setHeader('docker-distribution-api-version', 'registry/2.0');
    const m = /^\/v2\/(.+)\/(manifests|blobs|tags)\/([^/]+)$/.exec(p);
    if (p === '/v2/' || p === '/v2') {
      status = 200;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    } else if (req.method !== 'GET' && req.method !== 'HEAD') {
      status = 405;
      res.writeHead(405, { 'content-type': 'application/json' }).end(errorBody('UNSUPPORTED', 'the crafted registry is read-only'));
    } else if (m && m[2] === 'manifests') status = serveManifest(req, res, m[1], m[3]);
    else if (m && m[2] === 'blobs') status = serveBlob(req, res, m[3]);
    else if (m && m[2] === 'tags' && m[3] === 'list') {
      status = 200;
      const list = [...tags.keys()].filter((k) => k.startsWith(`${m[1]}:`)).map((k) => k.slice(m[1].length + 1));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: m[1], tags: list }));
    } else res.writeHead(404, { 'content-type': 'application/json' }).end(errorBody('NAME_UNKNOWN', 'not found'));
    requests.push({ method: req.method ?? '', path: p, range: req.headers.range, accept: req.headers.accept, status });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;

  const addImageFull = async (repo: string, tag: string, spec: ImageSpec) => {
    const img = await buildImage(spec);
    return { ...img, digest: storeImage(repo, [tag], img) };
  };

  return {
    host,
    url: `http://${host}`,
    addImageFull,
    addImage: async (repo, tag, spec) => (await addImageFull(repo, tag, spec)).digest,
    async addMultiArch(repo, tag, opts = {}) {
      const base = await busyboxBaseLayer();
      const built = {} as Record<'amd64' | 'arm64', BuiltImage>;
      for (const arch of ['amd64', 'arm64'] as const) {
        built[arch] = await buildImage({
          layers: [base, { files: { arch: `${arch}\n` } }],
          config: { architecture: arch, ...(arch === 'arm64' ? { variant: 'v8' } : {}), config: { Labels: { arch } } },
          compression: opts.compression,
          format: opts.format,
        });
        storeImage(repo, [], built[arch]);
      }
      const idx = indexOf([built.amd64, built.arm64], opts.format);
      return {
        index: putManifest(repo, [tag], idx.body, idx.mediaType),
        manifests: { amd64: sha256(built.amd64.manifest), arm64: sha256(built.arm64.manifest) },
        configs: { amd64: sha256(built.amd64.config), arm64: sha256(built.arm64.config) },
      };
    },
    async addSchema1(repo, tag) {
      const layer = putBlob((await buildImage({ layers: [{ files: { 'hello.txt': 'hello\n' } }] })).layers[0]);
      return putManifest(repo, [tag], schema1Manifest(repo, tag, [layer]), MEDIA.schema1Signed);
    },
    putBlob,
    putManifest,
    corruptBlob: (d) => void corruptBlobs.add(d),
    corruptManifest: (d) => void corruptManifests.add(d),
    dropBlobOnce: (d, at) => void drops.set(d, at),
    requests,
    blobGets: (d) => requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/blobs/${d}`)),
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
