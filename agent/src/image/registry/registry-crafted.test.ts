// Pulls from a registry of the test's own (a small Node server on 127.0.0.1) serving crafted
// manifests and blobs: zstd layers, indexes, schema1, wrong bytes, dropped connections, foreign
// layers, mirrors. Plus one round trip of a zstd image through the real docker-registry.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { exec } from '../../sys/exec.ts';
import { startRegistry } from '../../../../test/harness/registry.ts';
import { goArch } from '../oci-types.ts';
import { ImageStore } from '../image-store.ts';
import type { PullProgress } from './progress.ts';
import { pull } from './puller.ts';
import { push } from './pusher.ts';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const json = (o: unknown) => Buffer.from(JSON.stringify(o));

async function layerTar(files: Record<string, string>): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  for (const [name, body] of Object.entries(files)) {
    await new Promise<void>((res, rej) => pack.entry({ name, mode: 0o644, mtime: new Date(0) }, body, (e) => (e ? rej(e) : res())));
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

async function zstd(buf: Buffer, dir: string): Promise<Buffer> {
  const src = path.join(dir, `z-${Math.random().toString(16).slice(2)}.tar`);
  await fs.writeFile(src, buf);
  await exec('zstd', ['-q', '-f', src, '-o', `${src}.zst`]);
  return fs.readFile(`${src}.zst`);
}

interface Layer {
  blob: Buffer;
  diffId: string;
  mediaType: string;
}

interface Served {
  status?: number;
  type?: string;
  body: Buffer;
}

/** A registry whose every answer the test decides. */
class CraftedRegistry {
  readonly routes = new Map<string, Served>();
  /** digest → bytes after which the first GET drops the connection. */
  readonly dropAfter = new Map<string, number>();
  /** digest → bytes after which GETs stall (for cancellation). */
  readonly stallAfter = new Map<string, number>();
  readonly requests: Array<{ method: string; url: string; range?: string }> = [];
  private server!: http.Server;
  host = '';

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  blob(repo: string, body: Buffer, servedBytes = body): string {
    const d = sha(body);
    this.routes.set(`/v2/${repo}/blobs/${d}`, { body: servedBytes });
    return d;
  }

  manifest(repo: string, refs: string[], type: string, doc: unknown): { digest: string; bytes: Buffer } {
    const bytes = Buffer.from(JSON.stringify(doc, null, 2));
    const digest = sha(bytes);
    for (const r of [...refs, digest]) this.routes.set(`/v2/${repo}/manifests/${r}`, { body: bytes, type });
    return { digest, bytes };
  }

  /** An image: config + layers, OCI manifest, tagged. */
  image(repo: string, tag: string, layers: Layer[], arch = goArch()): { digest: string; configDigest: string; desc: { mediaType: string; digest: string; size: number } } {
    const config = json({ architecture: arch, os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) }, config: { Cmd: ['/bin/sh'] } });
    const configDigest = this.blob(repo, config);
    for (const l of layers) this.blob(repo, l.blob);
    const m = this.manifest(repo, tag ? [tag] : [], 'application/vnd.oci.image.manifest.v1+json', {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: layers.map((l) => ({ mediaType: l.mediaType, digest: sha(l.blob), size: l.blob.length })),
    });
    return { digest: m.digest, configDigest, desc: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: m.digest, size: m.bytes.length } };
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '/';
    this.requests.push({ method: req.method ?? '', url, range: req.headers.range });
    if (url === '/v2/') return void res.writeHead(200).end('{}');
    const served = this.routes.get(url);
    if (!served) {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      return void res.end(JSON.stringify({ errors: [{ code: url.includes('/manifests/') ? 'MANIFEST_UNKNOWN' : 'BLOB_UNKNOWN', message: 'unknown' }] }));
    }
    const digest = url.split('/').pop()!;
    let body = served.body;
    let status = served.status ?? 200;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range && url.includes('/blobs/')) {
      body = body.subarray(Number(range[1]));
      status = 206;
    }
    res.writeHead(status, { 'Content-Type': served.type ?? 'application/octet-stream', 'Content-Length': body.length });
    if (req.method === 'HEAD') return void res.end();
    const drop = this.dropAfter.get(digest);
    if (drop !== undefined) {
      this.dropAfter.delete(digest);
      res.write(body.subarray(0, drop), () => setTimeout(() => res.destroy(), 20));
      return;
    }
    const stall = this.stallAfter.get(digest);
    if (stall !== undefined) return void res.write(body.subarray(0, stall));
    res.end(body);
  }
}

const config = { insecureRegistries: [], mirrors: [] };
let tmp: string;
let reg: CraftedRegistry;
let gzLayer: Layer;
let zstdLayer: Layer;
let tarLayer: Layer;
let bigLayer: Layer;

async function newStore(): Promise<ImageStore> {
  return ImageStore.open(await fs.mkdtemp(path.join(tmp, 'store-')), () => undefined);
}

async function expectEmpty(store: ImageStore): Promise<void> {
  expect(store.list()).toEqual([]);
  expect(await store.content.list()).toEqual([]);
  expect(store.snapshots.list()).toEqual([]);
  expect(await fs.readdir(path.join(store.content.root, 'tmp'))).toEqual([]);
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-crafted-'));
  reg = new CraftedRegistry();
  await reg.start();
  const t1 = await layerTar({ 'gz.txt': 'gzip layer' });
  gzLayer = { blob: gzipSync(t1), diffId: sha(t1), mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' };
  const t2 = await layerTar({ 'zstd.txt': 'zstd layer' });
  zstdLayer = { blob: await zstd(t2, tmp), diffId: sha(t2), mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' };
  const t3 = await layerTar({ 'plain.txt': 'uncompressed layer' });
  tarLayer = { blob: t3, diffId: sha(t3), mediaType: 'application/vnd.oci.image.layer.v1.tar' };
  const t4 = await layerTar({ 'big.bin': createHash('sha512').update('x').digest('hex').repeat(4000) });
  bigLayer = { blob: gzipSync(t4, { level: 0 }), diffId: sha(t4), mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' };
});

afterAll(async () => {
  await reg?.stop();
  await fs.rm(tmp, { recursive: true, force: true });
});

afterEach(() => {
  reg.dropAfter.clear();
  reg.stallAfter.clear();
});

describe('pull from a crafted registry', { timeout: 30_000 }, () => {
  it('unpacks gzip, zstd and uncompressed layers', async () => {
    const img = reg.image('c/mixed', 'v1', [gzLayer, zstdLayer, tarLayer]);
    const store = await newStore();
    const r = await pull(store, `${reg.host}/c/mixed:v1`, { config, onProgress: () => undefined });
    expect(r.image.id).toBe(img.configDigest);
    expect(r.image.diffIds).toEqual([gzLayer.diffId, zstdLayer.diffId, tarLayer.diffId]);
    const [l0, l1, l2] = r.image.chainIds.map((c) => store.snapshots.layerDir(c));
    expect(await fs.readFile(path.join(l0, 'gz.txt'), 'utf8')).toBe('gzip layer');
    expect(await fs.readFile(path.join(l1, 'zstd.txt'), 'utf8')).toBe('zstd layer');
    expect(await fs.readFile(path.join(l2, 'plain.txt'), 'utf8')).toBe('uncompressed layer');
  });

  it('selects the platform out of an index, and says so when none fits', async () => {
    const amd = reg.image('c/multi', '', [gzLayer], 'amd64');
    const arm = reg.image('c/multi', '', [gzLayer], 'arm64');
    const index = reg.manifest('c/multi', ['latest'], 'application/vnd.oci.image.index.v1+json', {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { ...amd.desc, platform: { os: 'linux', architecture: 'amd64' } },
        { ...arm.desc, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(Buffer.from('att')), size: 3, platform: { os: 'unknown', architecture: 'unknown' } },
      ],
    });
    const store = await newStore();
    const host = await pull(store, `${reg.host}/c/multi`, { config, onProgress: () => undefined });
    expect(host.image.id).toBe(goArch() === 'arm64' ? arm.configDigest : amd.configDigest);
    expect(host.digest).toBe(index.digest);
    expect(host.image.repoDigests).toEqual([`${reg.host}/c/multi@${index.digest}`]);
    const other = await pull(store, `${reg.host}/c/multi:latest`, { config, platform: 'linux/arm64/v8', onProgress: () => undefined });
    expect(other.image.config.architecture).toBe('arm64');
    await expect(pull(store, `${reg.host}/c/multi`, { config, platform: 'linux/riscv64', onProgress: () => undefined })).rejects.toMatchObject({
      kind: 'NotFound',
      message: 'no matching manifest for linux/riscv64 in the manifest list entries',
    });
    // A single-platform image asked for with another --platform:
    await expect(pull(store, `${reg.host}/c/mixed:v1`, { config, platform: goArch() === 'arm64' ? 'linux/amd64' : 'linux/arm64', onProgress: () => undefined })).rejects.toThrow(/does not match the specified platform/);
  });

  it('refuses schema1 manifests with Docker\'s notice', async () => {
    reg.manifest('c/old', ['v1'], 'application/vnd.docker.distribution.manifest.v1+prettyjws', { schemaVersion: 1, name: 'c/old', tag: 'v1', fsLayers: [], history: [] });
    const store = await newStore();
    await expect(pull(store, `${reg.host}/c/old:v1`, { config, onProgress: () => undefined })).rejects.toThrow(
      `[DEPRECATION NOTICE] Docker Image Format v1 and Docker Image manifest version 2, schema 1 support has been removed. Suggest the author of ${reg.host}/c/old:v1 to upgrade the image to the OCI Format or Docker Image manifest v2, schema 2.`,
    );
    await expectEmpty(store);
  });

  it('refuses a blob with the wrong bytes and stores nothing', async () => {
    const t = await layerTar({ 'evil.txt': 'good' });
    const good = gzipSync(t);
    const evil = Buffer.from(good);
    evil[evil.length - 9] ^= 0xff;
    const config = json({ architecture: goArch(), os: 'linux', rootfs: { type: 'layers', diff_ids: [gzLayer.diffId, sha(t)] } });
    const cd = reg.blob('c/evil', config);
    reg.blob('c/evil', gzLayer.blob);
    const ld = reg.blob('c/evil', good, evil);
    reg.manifest('c/evil', ['v1'], 'application/vnd.oci.image.manifest.v1+json', {
      schemaVersion: 2,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: cd, size: config.length },
      layers: [
        { mediaType: gzLayer.mediaType, digest: sha(gzLayer.blob), size: gzLayer.blob.length },
        { mediaType: gzLayer.mediaType, digest: ld, size: good.length },
      ],
    });
    const store = await newStore();
    await expect(pull(store, `${reg.host}/c/evil:v1`, { config: { insecureRegistries: [], mirrors: [] }, onProgress: () => undefined })).rejects.toMatchObject({
      message: expect.stringMatching(new RegExp(`^failed to verify blob ${ld}: digest mismatch`)),
    });
    await expectEmpty(store);
  });

  it('refuses a manifest whose bytes do not match the digest asked for', async () => {
    const img = reg.image('c/swap', 'v1', [gzLayer]);
    const other = reg.image('c/swap', 'v2', [tarLayer]);
    reg.routes.set(`/v2/c/swap/manifests/${img.digest}`, reg.routes.get(`/v2/c/swap/manifests/${other.digest}`)!);
    const store = await newStore();
    await expect(pull(store, `${reg.host}/c/swap@${img.digest}`, { config, onProgress: () => undefined })).rejects.toThrow(/manifest verification failed for digest/);
    await expectEmpty(store);
  });

  it('resumes a dropped download with Range and says Retrying like Docker', async () => {
    reg.image('c/resume', 'v1', [bigLayer]);
    const d = sha(bigLayer.blob);
    reg.dropAfter.set(d, 50_000);
    const store = await newStore();
    const log: PullProgress[] = [];
    const r = await pull(store, `${reg.host}/c/resume:v1`, { config, onProgress: (p) => log.push(p), retrySecondMs: 5 });
    expect(r.image.diffIds).toEqual([bigLayer.diffId]);
    const statuses = log.map((p) => (p.type === 'aux' ? '' : p.status));
    expect(statuses).toContain('Retrying in 5 seconds');
    expect(statuses).toContain('Retrying in 1 second');
    const gets = reg.requests.filter((q) => q.url.endsWith(d) && q.method === 'GET');
    expect(gets.at(-1)?.range).toBe('bytes=50000-');
    const downloading = log.filter((p) => p.type === 'layer' && p.status === 'Downloading');
    expect(downloading.length).toBeGreaterThan(0);
    expect(downloading.length).toBeLessThan(50);
  });

  it('cancels cleanly: nothing stored, no partial files', async () => {
    reg.image('c/slow', 'v1', [gzLayer, bigLayer]);
    reg.stallAfter.set(sha(bigLayer.blob), 10_000);
    const store = await newStore();
    const ac = new AbortController();
    const p = pull(store, `${reg.host}/c/slow:v1`, {
      config,
      signal: ac.signal,
      onProgress: (m) => m.type === 'layer' && m.status === 'Downloading' && m.id === sha(bigLayer.blob).slice(7, 19) && ac.abort(),
    });
    await expect(p).rejects.toMatchObject({ kind: 'Unavailable' });
    await expectEmpty(store);
  });

  it('downloads 3 at a time (the others Waiting), and shares blobs between images', async () => {
    const layers: Layer[] = [];
    for (let i = 0; i < 5; i++) {
      const t = await layerTar({ [`f${i}`]: String(i) });
      layers.push({ blob: gzipSync(t), diffId: sha(t), mediaType: gzLayer.mediaType });
    }
    reg.image('c/five', 'v1', layers);
    reg.image('c/four', 'v1', layers.slice(0, 4));
    const store = await newStore();
    const log: PullProgress[] = [];
    await pull(store, `${reg.host}/c/five:v1`, { config, onProgress: (p) => log.push(p) });
    const waiting = log.filter((p) => p.type === 'layer' && p.status === 'Waiting').map((p) => (p as { id: string }).id);
    expect(waiting).toEqual(layers.slice(3).map((l) => sha(l.blob).slice(7, 19)));
    const log2: PullProgress[] = [];
    const four = await pull(store, `${reg.host}/c/four:v1`, { config, onProgress: (p) => log2.push(p) });
    expect(log2.filter((p) => p.type === 'layer').map((p) => (p as { status: string }).status)).toEqual(Array(4).fill('Already exists'));
    expect(four.image.chainIds.every((c) => store.snapshots.has(c))).toBe(true);
    const blobs = (await store.content.list()).map((b) => b.digest);
    for (const l of layers) expect(blobs.filter((b) => b === sha(l.blob))).toHaveLength(1);
  });

  it('fetches foreign layers from their URLs', async () => {
    const t = await layerTar({ 'foreign.txt': 'from elsewhere' });
    const blob = gzipSync(t);
    const d = sha(blob);
    reg.routes.set(`/foreign/${d.slice(7)}`, { body: blob });
    const config = json({ architecture: goArch(), os: 'linux', rootfs: { type: 'layers', diff_ids: [sha(t)] } });
    const cd = reg.blob('c/foreign', config);
    reg.manifest('c/foreign', ['v1'], 'application/vnd.docker.distribution.manifest.v2+json', {
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: cd, size: config.length },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', digest: d, size: blob.length, urls: [`http://${reg.host}/foreign/${d.slice(7)}`] }],
    });
    const store = await newStore();
    const r = await pull(store, `${reg.host}/c/foreign:v1`, { config: { insecureRegistries: [], mirrors: [] }, onProgress: () => undefined });
    expect(await fs.readFile(path.join(store.snapshots.layerDir(r.image.chainIds[0]), 'foreign.txt'), 'utf8')).toBe('from elsewhere');
  });

  it('pulls Docker Hub images through a mirror, falling back past a dead one', async () => {
    const img = reg.image('library/busybox', 'latest', [gzLayer]);
    const store = await newStore();
    const mirrored = { insecureRegistries: [], mirrors: ['http://127.0.0.1:9/', `http://${reg.host}`], dockerHubOrigin: 'http://127.0.0.1:9' };
    const r = await pull(store, 'busybox', { config: mirrored, onProgress: () => undefined });
    expect(r.image.id).toBe(img.configDigest);
    expect(r.image.repoTags).toEqual(['busybox:latest']);
    expect(r.image.repoDigests).toEqual([`busybox@${img.digest}`]);
  });
});

describe.skipIf(!existsSync('/usr/bin/docker-registry'))('zstd through a real registry', { timeout: 60_000 }, () => {
  it('pushes a pulled zstd image bit-for-bit and pulls it back', async () => {
    const img = reg.image('c/zstd', 'v1', [gzLayer, zstdLayer]);
    const real = await startRegistry({ auth: 'none' });
    try {
      const store = await newStore();
      await pull(store, `${reg.host}/c/zstd:v1`, { config, onProgress: () => undefined });
      await store.tag(`${reg.host}/c/zstd:v1`, `${real.host}/z/img:1`);
      const r = await push(store, `${real.host}/z/img:1`, { config, onProgress: () => undefined });
      expect(r.digest).toBe(img.digest);
      const raw = JSON.parse((await exec('skopeo', ['inspect', '--raw', '--tls-verify=false', '--no-creds', `docker://${real.host}/z/img:1`])).stdout);
      expect(raw.layers[1].mediaType).toBe('application/vnd.oci.image.layer.v1.tar+zstd');
      const fresh = await newStore();
      const back = await pull(fresh, `${real.host}/z/img:1`, { config, onProgress: () => undefined });
      expect(back.image.id).toBe(img.configDigest);
      expect(await fs.readFile(path.join(fresh.snapshots.layerDir(back.image.chainIds[1]), 'zstd.txt'), 'utf8')).toBe('zstd layer');
    } finally {
      await real.stop();
    }
  });
});
