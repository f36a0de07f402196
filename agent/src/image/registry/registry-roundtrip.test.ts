// Pull, push and login against a real registry (Debian's docker-registry 2.8) on 127.0.0.1:
// no auth, htpasswd and token auth. Fixture images come from test/fixtures (built by the script).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadStream, existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exec } from '../../sys/exec.ts';
import { startRegistry, pushFixture, type RegistryHandle } from '../../../../test/harness/registry.ts';
import { buildFixtures } from '../../../../test/fixtures/build-fixtures.ts';
import { ImageStore } from '../image-store.ts';
import { checkLogin } from './login.ts';
import type { PullProgress } from './progress.ts';
import { pull } from './puller.ts';
import { push } from './pusher.ts';

const config = { insecureRegistries: [], mirrors: [] };
const fixturesDir = path.resolve('test/.work/fixtures');
const have = (bin: string) => existsSync(bin);
const canRun = have('/usr/bin/docker-registry') && have('/usr/bin/skopeo');

let tmp: string;
let busyboxTar: string;
let layersTar: string;

async function newStore(): Promise<ImageStore> {
  return ImageStore.open(await fs.mkdtemp(path.join(tmp, 'store-')), () => undefined);
}

function collect(): { log: PullProgress[]; onProgress: (p: PullProgress) => void; statuses: () => string[] } {
  const log: PullProgress[] = [];
  return { log, onProgress: (p) => log.push(p), statuses: () => log.map((p) => (p.type === 'aux' ? 'aux' : p.status)) };
}

async function skopeoDigest(ref: string, creds?: string): Promise<string> {
  const args = ['inspect', '--tls-verify=false', ...(creds ? ['--creds', creds] : ['--no-creds']), `docker://${ref}`];
  return JSON.parse((await exec('skopeo', args, { timeoutMs: 60_000 })).stdout).Digest as string;
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-registry-test-'));
  const f = existsSync(path.join(fixturesDir, 'busybox.tar')) ? { busybox: path.join(fixturesDir, 'busybox.tar'), layers: path.join(fixturesDir, 'layers.tar') } : await buildFixtures(fixturesDir);
  busyboxTar = f.busybox;
  layersTar = f.layers;
}, 120_000);

afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe.skipIf(!canRun)('registry without auth', { timeout: 60_000 }, () => {
  let reg: RegistryHandle;
  beforeAll(async () => {
    reg = await startRegistry({ auth: 'none' });
    await pushFixture(reg.host, busyboxTar, 'test/busybox:1');
  }, 120_000);
  afterAll(async () => reg?.stop());

  it('pulls with Docker progress, then says up to date', async () => {
    const store = await newStore();
    const p = collect();
    const ref = `${reg.host}/test/busybox:1`;
    const r = await pull(store, ref, { config, onProgress: p.onProgress });
    const digest = await skopeoDigest(ref);
    expect(r.digest).toBe(digest);
    expect(r.upToDate).toBe(false);
    expect(r.image.repoTags).toEqual([ref]);
    expect(r.image.repoDigests).toEqual([`${reg.host}/test/busybox@${digest}`]);
    const s = p.statuses();
    expect(s[0]).toBe('Pulling from test/busybox');
    expect(p.log[0]).toMatchObject({ type: 'status', id: '1' });
    for (const want of ['Pulling fs layer', 'Downloading', 'Verifying Checksum', 'Download complete', 'Extracting', 'Pull complete']) expect(s).toContain(want);
    expect(s.slice(-2)).toEqual([`Digest: ${digest}`, `Status: Downloaded newer image for ${ref}`]);
    const layer = p.log.find((x) => x.type === 'layer' && x.status === 'Downloading');
    expect(layer).toMatchObject({ id: expect.stringMatching(/^[a-f0-9]{12}$/), total: expect.any(Number) });
    expect(store.snapshots.list().length).toBe(r.image.chainIds.length);

    const again = collect();
    const r2 = await pull(store, ref, { config, onProgress: again.onProgress });
    expect(r2.upToDate).toBe(true);
    expect(r2.image.id).toBe(r.image.id);
    expect(again.statuses()).toEqual(['Pulling from test/busybox', `Digest: ${digest}`, `Status: Image is up to date for ${ref}`]);

    const byDigest = await pull(store, `${reg.host}/test/busybox@${digest}`, { config, onProgress: () => undefined });
    expect(byDigest.image.id).toBe(r.image.id);
  });

  it('gives Docker errors for a missing tag or repository', async () => {
    const store = await newStore();
    await expect(pull(store, `${reg.host}/test/busybox:nope`, { config, onProgress: () => undefined })).rejects.toMatchObject({
      kind: 'NotFound',
      message: `manifest for ${reg.host}/test/busybox:nope not found: manifest unknown: manifest unknown`,
    });
    await expect(pull(store, `${reg.host}/no/such:1`, { config, onProgress: () => undefined })).rejects.toMatchObject({ kind: 'NotFound' });
    expect(store.list()).toEqual([]);
    expect(await store.content.list()).toEqual([]);
  });

  it('pushes a loaded image (gzipping its layers), skips and mounts on later pushes, and skopeo reads it', async () => {
    const store = await newStore();
    await store.load(createReadStream(layersTar));
    const [loaded] = store.list();
    const target = `${reg.host}/mine/layers:v1`;
    await store.tag(loaded.id, target);
    const p = collect();
    const r = await push(store, target, { config, onProgress: p.onProgress });
    expect(p.statuses()[0]).toBe(`The push refers to repository [${reg.host}/mine/layers]`);
    expect(p.statuses().filter((s) => s === 'Pushed').length).toBe(new Set(loaded.diffIds).size);
    expect(p.log.at(-1)).toEqual({ type: 'aux', aux: { Tag: 'v1', Digest: r.digest, Size: r.size } });
    expect(await skopeoDigest(target)).toBe(r.digest);
    const inspected = JSON.parse((await exec('skopeo', ['inspect', '--tls-verify=false', '--no-creds', '--config', `docker://${target}`])).stdout);
    expect(inspected.rootfs.diff_ids).toEqual(loaded.diffIds);
    expect(store.get(loaded.id).repoDigests).toContain(`${reg.host}/mine/layers@${r.digest}`);

    const second = collect();
    const r2 = await push(store, target, { config, onProgress: second.onProgress });
    expect(r2.digest).toBe(r.digest);
    expect(second.statuses()).not.toContain('Pushed');
    expect(second.statuses()).toContain('Layer already exists');

    await store.tag(loaded.id, `${reg.host}/other/repo:x`);
    const third = collect();
    const r3 = await push(store, `${reg.host}/other/repo:x`, { config, onProgress: third.onProgress });
    expect(r3.digest).toBe(r.digest);
    expect(third.statuses()).toContain('Mounted from mine/layers');
    expect(third.statuses()).not.toContain('Pushed');

    // What we pushed pulls back into an empty store as the same image.
    const fresh = await newStore();
    const back = await pull(fresh, target, { config, onProgress: () => undefined });
    expect(back.image.id).toBe(loaded.id);
    expect(back.digest).toBe(r.digest);
  });

  it('re-pushes a pulled image bit-for-bit and uses chunked uploads for big blobs', async () => {
    const store = await newStore();
    const src = `${reg.host}/test/busybox:1`;
    const pulled = await pull(store, src, { config, onProgress: () => undefined });
    await store.tag(src, `${reg.host}/copy/busybox:2`);
    const p = collect();
    const r = await push(store, `${reg.host}/copy/busybox:2`, { config, onProgress: p.onProgress, chunkedThreshold: 1024 });
    expect(r.digest).toBe(pulled.digest);
    expect(p.statuses().some((s) => s === 'Pushed' || s.startsWith('Mounted from'))).toBe(true);
    // A fresh upload through the PATCH path:
    const store2 = await newStore();
    await store2.load(createReadStream(busyboxTar));
    await store2.tag(store2.list()[0].id, `${reg.host}/chunked/busybox:1`);
    const r2 = await push(store2, `${reg.host}/chunked/busybox:1`, { config, onProgress: () => undefined, chunkedThreshold: 1024 });
    expect(await skopeoDigest(`${reg.host}/chunked/busybox:1`)).toBe(r2.digest);
  });

  it('checks logins against a registry without auth', async () => {
    expect(await checkLogin({ serverAddress: reg.host, username: 'x', password: 'y' }, config)).toEqual({ status: 'Login Succeeded' });
  });
});

describe.skipIf(!canRun)('registry with htpasswd auth', { timeout: 60_000 }, () => {
  let reg: RegistryHandle;
  const creds = { username: 'user', password: 'pass' };
  beforeAll(async () => {
    reg = await startRegistry({ auth: 'htpasswd', users: { user: 'pass' } });
    await pushFixture(reg.host, busyboxTar, 'test/busybox:1', { creds: 'user:pass' });
  }, 120_000);
  afterAll(async () => reg?.stop());

  it('needs credentials to pull, and refuses wrong ones', async () => {
    const store = await newStore();
    const ref = `${reg.host}/test/busybox:1`;
    await expect(pull(store, ref, { config, onProgress: () => undefined })).rejects.toMatchObject({ kind: 'Unauthorized', message: expect.stringMatching(/no basic auth credentials/) });
    await expect(pull(store, ref, { config, auth: { ...creds, password: 'wrong' }, onProgress: () => undefined })).rejects.toMatchObject({ kind: 'Unauthorized' });
    expect(store.list()).toEqual([]);
    const r = await pull(store, ref, { config, auth: creds, onProgress: () => undefined });
    expect(r.image.repoTags).toEqual([ref]);
  });

  it('pushes with credentials', async () => {
    const store = await newStore();
    await store.load(createReadStream(busyboxTar));
    await store.tag(store.list()[0].id, `${reg.host}/pushed/busybox:1`);
    await expect(push(store, `${reg.host}/pushed/busybox:1`, { config, onProgress: () => undefined })).rejects.toMatchObject({ kind: 'Unauthorized' });
    const r = await push(store, `${reg.host}/pushed/busybox:1`, { config, auth: creds, onProgress: () => undefined });
    expect(await skopeoDigest(`${reg.host}/pushed/busybox:1`, 'user:pass')).toBe(r.digest);
  });

  it('checks logins', async () => {
    expect(await checkLogin({ ...creds, serverAddress: reg.host }, config)).toEqual({ status: 'Login Succeeded' });
    await expect(checkLogin({ ...creds, password: 'nope', serverAddress: `http://${reg.host}/` }, config)).rejects.toMatchObject({
      kind: 'Unauthorized',
      message: expect.stringMatching(/^login attempt to https?:\/\/127\.0\.0\.1:\d+\/v2\/ failed with status: 401 Unauthorized$/),
    });
  });
});

describe.skipIf(!canRun)('registry with token auth', { timeout: 60_000 }, () => {
  let reg: RegistryHandle;
  beforeAll(async () => {
    reg = await startRegistry({ auth: 'token', users: { tok: 'en' } });
    await pushFixture(reg.host, busyboxTar, 'test/busybox:1', { creds: 'tok:en' });
  }, 120_000);
  afterAll(async () => reg?.stop());

  it('pulls anonymously through the token server with the pull scope', async () => {
    const store = await newStore();
    reg.tokenLog.length = 0;
    await pull(store, `${reg.host}/test/busybox:1`, { config, onProgress: () => undefined });
    expect(reg.tokenLog[0]).toMatchObject({ method: 'GET', user: null, scopes: ['repository:test/busybox:pull'] });
  });

  it('pushes with credentials (pull,push scope) and refuses wrong ones', async () => {
    const store = await newStore();
    await store.load(createReadStream(busyboxTar));
    await store.tag(store.list()[0].id, `${reg.host}/tok/busybox:1`);
    await expect(push(store, `${reg.host}/tok/busybox:1`, { config, auth: { username: 'tok', password: 'bad' }, onProgress: () => undefined })).rejects.toMatchObject({ kind: 'Unauthorized' });
    reg.tokenLog.length = 0;
    const r = await push(store, `${reg.host}/tok/busybox:1`, { config, auth: { username: 'tok', password: 'en' }, onProgress: () => undefined });
    expect(reg.tokenLog.some((t) => t.user === 'tok' && t.scopes.includes('repository:tok/busybox:pull,push'))).toBe(true);
    expect(await skopeoDigest(`${reg.host}/tok/busybox:1`, 'tok:en')).toBe(r.digest);
  });

  it('checks logins through the token realm', async () => {
    expect((await checkLogin({ username: 'tok', password: 'en', serverAddress: reg.host }, config)).status).toBe('Login Succeeded');
    await expect(checkLogin({ username: 'tok', password: 'no', serverAddress: reg.host }, config)).rejects.toMatchObject({ kind: 'Unauthorized' });
  });
});
