// Self-check of the registry test harnesses (no Berth involved): the real docker-registry in each
// auth mode takes a skopeo push and answers skopeo inspect; the crafted registry serves what the
// security and edge-case tests rely on.
import { createHash } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../harness/engine-process.ts';
import { fixture } from '../harness/fixtures.ts';
import { DEFAULT_USER, pushFixture, startRegistry, type RegistryHandle } from '../harness/registry.ts';
import { EVIL_LAYERS, MEDIA, startCraftedRegistry, type CraftedRegistry } from '../harness/crafted-registry.ts';

const skopeoInspect = (host: string, ref: string, creds?: string) =>
  run('skopeo', ['--insecure-policy', 'inspect', '--tls-verify=false', ...(creds ? ['--creds', creds] : ['--no-creds']), `docker://${host}/${ref}`], { timeoutMs: 60_000 });

describe.each(['none', 'htpasswd', 'token'] as const)('real registry, auth %s', (auth) => {
  let reg: RegistryHandle;
  const creds = auth === 'none' ? undefined : DEFAULT_USER.creds;
  beforeAll(async () => {
    reg = await startRegistry({ auth });
  });
  afterAll(async () => {
    await reg?.stop();
  });

  it('takes a skopeo push and answers inspect', async () => {
    expect(reg.host).toMatch(/^127\.0\.0\.1:\d+$/);
    await pushFixture(reg.host, fixture('busybox.tar'), 'harness/busybox:1', { creds });
    const r = await skopeoInspect(reg.host, 'harness/busybox:1', creds);
    expect(r.stderr).toBe('');
    const info = JSON.parse(r.stdout) as { Digest: string; Layers: string[] };
    expect(info.Digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(info.Layers).toHaveLength(1);
  });

  it.runIf(auth !== 'none')('refuses a bad password and anonymous push', async () => {
    await expect(pushFixture(reg.host, fixture('busybox.tar'), 'harness/anon:1')).rejects.toThrow(/unauthorized|denied|insufficient_scope|authentication required/i);
    await expect(pushFixture(reg.host, fixture('busybox.tar'), 'harness/bad:1', { creds: 'berth:wrong' })).rejects.toThrow(/unauthorized|invalid username\/password|authentication required/i);
  });

  it.runIf(auth === 'token')('lets anonymous callers pull and logs the token requests', async () => {
    const r = await skopeoInspect(reg.host, 'harness/busybox:1');
    expect(r.code).toBe(0);
    expect(reg.tokenLog.some((t) => t.user === DEFAULT_USER.user && t.scopes.some((s) => s.includes('push')))).toBe(true);
    expect(reg.tokenLog.some((t) => t.user === null)).toBe(true);
  });

  it('stop removes its temp dir', async () => {
    const other = await startRegistry({ auth });
    await other.stop();
    await expect(import('node:fs/promises').then((f) => f.stat(other.dir))).rejects.toThrow(/ENOENT/);
  });
});

interface Got {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  error?: string;
}

function get(url: string, headers: Record<string, string> = {}): Promise<Got> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const req = http.get(url, { headers }, (res) => {
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', (e) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), error: e.message }));
      res.on('aborted', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), error: 'aborted' }));
    });
    req.on('error', (e) => resolve({ status: 0, headers: {}, body: Buffer.concat(chunks), error: e.message }));
  });
}

const digestOf = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('crafted registry', () => {
  let reg: CraftedRegistry;
  beforeAll(async () => {
    reg = await startCraftedRegistry();
  });
  afterAll(async () => {
    await reg?.stop();
  });

  it('serves /v2/, manifests by tag and digest, and blobs that match their digests', async () => {
    expect((await get(`${reg.url}/v2/`)).status).toBe(200);
    const digest = await reg.addImage('crafted/plain', 'v1', { layers: [{ files: { 'hello.txt': 'hi\n' } }] });
    const byTag = await get(`${reg.url}/v2/crafted/plain/manifests/v1`);
    expect(byTag.headers['content-type']).toBe(MEDIA.ociManifest);
    expect(digestOf(byTag.body)).toBe(digest);
    const manifest = JSON.parse(byTag.body.toString()) as { config: { digest: string }; layers: Array<{ digest: string; mediaType: string }> };
    expect(manifest.layers[0].mediaType).toBe(MEDIA.ociLayer.gzip);
    for (const d of [manifest.config.digest, manifest.layers[0].digest]) expect(digestOf((await get(`${reg.url}/v2/crafted/plain/blobs/${d}`)).body)).toBe(d);
    expect((await get(`${reg.url}/v2/crafted/plain/manifests/nope`)).status).toBe(404);
  });

  it('corrupts a blob and a manifest on request', async () => {
    const img = await reg.addImageFull('crafted/bad', 'v1', { layers: [{ files: { 'a.txt': 'a\n' } }] });
    const layer = digestOf(img.layers[0]);
    reg.corruptBlob(layer);
    reg.corruptManifest(img.digest);
    const blob = await get(`${reg.url}/v2/crafted/bad/blobs/${layer}`);
    expect(blob.body.length).toBe(img.layers[0].length);
    expect(digestOf(blob.body)).not.toBe(layer);
    const m = await get(`${reg.url}/v2/crafted/bad/manifests/${img.digest}`);
    expect(m.headers['docker-content-digest']).toBe(img.digest);
    expect(digestOf(m.body)).not.toBe(img.digest);
  });

  it('serves schema1 with its media type', async () => {
    await reg.addSchema1('crafted/old', 'v1');
    const m = await get(`${reg.url}/v2/crafted/old/manifests/v1`);
    expect(m.headers['content-type']).toBe(MEDIA.schema1Signed);
    expect(JSON.parse(m.body.toString()).schemaVersion).toBe(1);
  });

  it('serves escaping layers byte for byte', async () => {
    const img = await reg.addImageFull('crafted/evil', 'symlink', { layers: [EVIL_LAYERS.symlinkRoot()], compression: 'none' });
    const tar = (await get(`${reg.url}/v2/crafted/evil/blobs/${digestOf(img.layers[0])}`)).body;
    const list = await run('tar', ['-tvf', '-'], { input: tar });
    expect(list.stdout).toMatch(/evil -> \//);
    expect(list.stdout).toContain('evil/tmp/berth-escape-symlink');
    const hl = await reg.addImageFull('crafted/evil', 'hardlink', { layers: [EVIL_LAYERS.hardlinkPasswd()], compression: 'none' });
    expect((await run('tar', ['-tvf', '-'], { input: hl.layers[0] })).stdout).toMatch(/passwd-link link to \/?etc\/passwd/);
  });

  it('serves a multi-arch index whose entries differ', async () => {
    const ma = await reg.addMultiArch('crafted/multi', 'latest');
    const idx = await get(`${reg.url}/v2/crafted/multi/manifests/latest`);
    expect(idx.headers['content-type']).toBe(MEDIA.ociIndex);
    const parsed = JSON.parse(idx.body.toString()) as { manifests: Array<{ digest: string; platform: { architecture: string } }> };
    expect(parsed.manifests.map((m) => m.platform.architecture)).toEqual(['amd64', 'arm64']);
    expect(ma.configs.amd64).not.toBe(ma.configs.arm64);
    expect(digestOf((await get(`${reg.url}/v2/crafted/multi/manifests/${ma.manifests.arm64}`)).body)).toBe(ma.manifests.arm64);
  });

  it('drops a blob halfway once, then honours Range', async () => {
    const img = await reg.addImageFull('crafted/resume', 'v1', { layers: [{ files: { 'big.bin': Buffer.alloc(300_000, 7) } }], compression: 'none' });
    const d = digestOf(img.layers[0]);
    reg.dropBlobOnce(d, 100_000);
    const first = await get(`${reg.url}/v2/crafted/resume/blobs/${d}`);
    expect(first.error).toBeTruthy();
    expect(first.body.length).toBe(100_000);
    const rest = await get(`${reg.url}/v2/crafted/resume/blobs/${d}`, { Range: `bytes=${first.body.length}-` });
    expect(rest.status).toBe(206);
    expect(rest.headers['content-range']).toBe(`bytes 100000-${img.layers[0].length - 1}/${img.layers[0].length}`);
    expect(digestOf(Buffer.concat([first.body, rest.body]))).toBe(d);
    expect(reg.blobGets(d).map((r) => r.range ?? null)).toEqual([null, 'bytes=100000-']);
  });

  it('serves zstd layers that the zstd CLI decompresses', async () => {
    const img = await reg.addImageFull('crafted/zstd', 'v1', { layers: [{ files: { 'z.txt': 'zstd!\n' } }], compression: 'zstd' });
    const m = JSON.parse(img.manifest.toString()) as { layers: Array<{ mediaType: string; digest: string }> };
    expect(m.layers[0].mediaType).toBe(MEDIA.ociLayer.zstd);
    const blob = (await get(`${reg.url}/v2/crafted/zstd/blobs/${m.layers[0].digest}`)).body;
    expect(blob.subarray(0, 4)).toEqual(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]));
    const out = await run('sh', ['-c', 'zstd -d -c | tar -xOf - z.txt'], { input: blob });
    expect(out.stdout).toBe('zstd!\n');
    expect(`sha256:${createHash('sha256').update((await run('sh', ['-c', 'zstd -d -c | base64 -w0'], { input: blob })).stdout, 'base64').digest('hex')}`).toBe(img.diffIds[0]);
  });
});
