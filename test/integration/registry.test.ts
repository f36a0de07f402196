// Pull, push and login against real registries (distribution 2.8 on 127.0.0.1: open, htpasswd,
// token auth), a real dockerd for the round trip, and a crafted registry for the hostile cases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { run, startEngine, type EngineHandle } from '../harness/engine-process.ts';
import { startDockerd } from '../harness/dockerd.ts';
import { DEFAULT_USER, pushFixture, startRegistry, type RegistryHandle } from '../harness/registry.ts';
import { EVIL_LAYERS, ESCAPE_MARKERS, busyboxBaseLayer, startCraftedRegistry, type CraftedRegistry } from '../harness/crafted-registry.ts';
import { fixture, loadFixtures, LAYERS } from '../harness/fixtures.ts';

let e: EngineHandle;
let open: RegistryHandle;
let crafted: CraftedRegistry;
let tmp: string;
let base: Buffer;
const digestOf = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'reg-'));
  await fs.writeFile(path.join(tmp, 'daemon.json'), JSON.stringify({ 'insecure-registries': ['registry.example:5000'], 'registry-mirrors': ['http://127.0.0.1:1'] }));
  e = await startEngine('registry', { extraArgs: ['--config-file', path.join(tmp, 'daemon.json')] });
  await loadFixtures(e, ['busybox.tar', 'layers.tar']);
  open = await startRegistry({ auth: 'none' });
  crafted = await startCraftedRegistry();
  base = await busyboxBaseLayer();
  await pushFixture(open.host, fixture('busybox.tar'), 'test/busybox:1');
});
afterAll(async () => {
  await e?.stop();
  await open?.stop();
  await crafted?.stop();
  await fs.rm(tmp, { recursive: true, force: true });
});

function api(method: string, p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .request({ socketPath: e.socket, method, path: p }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject)
      .end();
  });
}

const blobCount = async () => (await fs.readdir(path.join(e.dataRoot, 'content/blobs/sha256')).catch(() => [])).length;

describe('pull', () => {
  it('pulls with per-layer progress, records the repo digest, and says up to date the second time', async () => {
    await pushFixture(open.host, fixture('httpd.tar'), 'test/httpd:1');
    const web = await e.docker(['pull', `${open.host}/test/httpd:1`]);
    // The busybox base layer is already unpacked (from docker load); the httpd layer is new.
    expect(web.stdout).toMatch(/Already exists/);
    expect(web.stdout).toMatch(/Pull complete/);
    const ref = `${open.host}/test/busybox:1`;
    const r = await e.docker(['pull', ref]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Digest: sha256:[0-9a-f]{64}/);
    expect(r.stdout).toContain(`Status: Downloaded newer image for ${ref}`);
    const digest = /Digest: (sha256:[0-9a-f]{64})/.exec(r.stdout)![1];
    expect((await e.docker(['image', 'inspect', '-f', '{{json .RepoDigests}}', ref])).stdout).toContain(`${open.host}/test/busybox@${digest}`);
    expect((await e.docker(['run', '--rm', ref, 'echo', 'pulled'])).stdout).toBe('pulled\n');
    const again = await e.docker(['pull', ref]);
    expect(again.stdout).toContain(`Status: Image is up to date for ${ref}`);
    const byDigest = await e.docker(['pull', `${open.host}/test/busybox@${digest}`]);
    expect(byDigest.code).toBe(0);
  });

  it('refuses an invalid reference and a missing repository with clear errors', async () => {
    const bad = await e.docker(['pull', `${open.host}/Upper/Case:1`]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/invalid reference format|must be lowercase/);
    const missing = await e.docker(['pull', `${open.host}/no/such:1`]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/not found|does not exist|manifest unknown/i);
  });
});

describe('push', () => {
  it('pushes, skips existing layers, mounts across repositories, and pulls back identically', async () => {
    const ref = `${open.host}/mine/layers:1`;
    await e.docker(['tag', LAYERS, ref]);
    const first = await e.docker(['push', ref]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Pushed/);
    expect(first.stdout).toMatch(/1: digest: sha256:[0-9a-f]{64} size: \d+/);
    const second = await e.docker(['push', ref]);
    expect(second.stdout).toMatch(/Layer already exists/);
    const other = `${open.host}/other/layers:2`;
    await e.docker(['tag', LAYERS, other]);
    expect((await e.docker(['push', other])).stdout).toMatch(/Mounted from mine\/layers|Layer already exists/);
    const inspect = await run('skopeo', ['inspect', '--tls-verify=false', `docker://${ref}`], {});
    expect(JSON.parse(inspect.stdout).Layers).toHaveLength(4);

    // A real dockerd pulls what Berth pushed, gets the same image ID, pushes it on; Berth pulls that.
    const id = (await e.docker(['image', 'inspect', '-f', '{{.Id}}', LAYERS])).stdout.trim();
    const d = await startDockerd();
    try {
      expect((await d.docker(['pull', ref])).code).toBe(0);
      expect((await d.docker(['image', 'inspect', '-f', '{{.Id}}', ref])).stdout.trim()).toBe(id);
      const fromDockerd = `${open.host}/dockerd/layers:3`;
      await d.docker(['tag', ref, fromDockerd]);
      expect((await d.docker(['push', fromDockerd])).code).toBe(0);
    } finally {
      await d.stop();
    }
    const back = await e.docker(['pull', `${open.host}/dockerd/layers:3`]);
    expect(back.code).toBe(0);
    expect((await e.docker(['image', 'inspect', '-f', '{{.Id}}', `${open.host}/dockerd/layers:3`])).stdout.trim()).toBe(id);
  }, 120_000);
});

describe('authentication', () => {
  for (const mode of ['htpasswd', 'token'] as const) {
    it(`logs in, pulls and pushes with ${mode} auth; refuses bad credentials`, async () => {
      const reg = await startRegistry({ auth: mode });
      try {
        await pushFixture(reg.host, fixture('busybox.tar'), 'private/box:1', { creds: DEFAULT_USER.creds });
        const ref = `${reg.host}/private/box:1`;
        if (mode === 'htpasswd') {
          // Through the API: the CLI would stop at an interactive login prompt.
          const anon = await api('POST', `/v1.50/images/create?fromImage=${encodeURIComponent(`${reg.host}/private/box`)}&tag=1`);
          expect(anon.status).toBe(401);
          expect(JSON.parse(anon.body).message).toMatch(/unauthorized|no basic auth credentials|authentication required/i);
        }
        const wrong = await e.docker(['login', reg.host, '-u', DEFAULT_USER.user, '--password-stdin'], { input: 'nope\n' });
        expect(wrong.code).not.toBe(0);
        expect(wrong.stderr).toMatch(/unauthorized|incorrect|denied/i);
        const ok = await e.docker(['login', reg.host, '-u', DEFAULT_USER.user, '--password-stdin'], { input: `${DEFAULT_USER.pass}\n` });
        expect(ok.stdout).toContain('Login Succeeded');
        expect((await e.docker(['pull', ref])).code).toBe(0);
        const pushed = `${reg.host}/private/layers:1`;
        await e.docker(['tag', LAYERS, pushed]);
        const p = await e.docker(['push', pushed]);
        expect(p.stderr, p.stdout).toBe('');
        expect(p.stdout).toMatch(/digest: sha256/);
        await e.docker(['logout', reg.host]);
      } finally {
        await reg.stop();
      }
    }, 60_000);
  }

  it('never writes credentials to the data root', async () => {
    const hits = await run('grep', ['-rl', DEFAULT_USER.pass, e.dataRoot], {});
    expect(hits.stdout).toBe('');
  });
});

describe('hostile and unusual registries', () => {
  it('verifies every blob and manifest; wrong bytes store nothing', async () => {
    const img = await crafted.addImageFull('bad/blob', '1', { layers: [base, { files: { 'x.txt': 'x\n' } }] });
    crafted.corruptBlob(digestOf(img.layers[1]));
    const before = await blobCount();
    const r = await e.docker(['pull', `${crafted.host}/bad/blob:1`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr + r.stdout).toMatch(/digest|verif/i);
    expect((await e.docker(['images', '-q', `${crafted.host}/bad/blob`])).stdout).toBe('');
    expect(await blobCount()).toBeLessThanOrEqual(before + 1);

    const m = await crafted.addImage('bad/manifest', '1', { layers: [base] });
    crafted.corruptManifest(m);
    const rm = await e.docker(['pull', `${crafted.host}/bad/manifest@${m}`]);
    expect(rm.code).not.toBe(0);
  });

  it('refuses layers that escape the unpack root', async () => {
    for (const [name, layer] of Object.entries(EVIL_LAYERS)) {
      const ref = `${crafted.host}/evil/${name.toLowerCase()}:1`;
      await crafted.addImage(`evil/${name.toLowerCase()}`, '1', { layers: [base, layer()] });
      const r = await e.docker(['pull', ref]);
      if (name === 'absolute') {
        // Like tar and Docker, a leading "/" is stripped: the file stays inside the image.
        expect(r.code, name).toBe(0);
        expect((await e.docker(['run', '--rm', ref, 'cat', '/tmp/berth-escape-absolute'])).stdout).toBe('escaped\n');
      } else {
        expect(r.code, name).not.toBe(0);
        expect(r.stderr, name).toMatch(/invalid|escape|outside|refus/i);
      }
    }
    for (const m of ESCAPE_MARKERS) expect(existsSync(m), m).toBe(false);
    expect(existsSync(path.join(path.dirname(e.dataRoot), 'berth-escape-dotdot'))).toBe(false);
  });

  it('refuses schema1 with Docker’s message', async () => {
    await crafted.addSchema1('old/schema', '1');
    const r = await e.docker(['pull', `${crafted.host}/old/schema:1`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr + r.stdout).toMatch(/schema 1 support has been removed/);
  });

  it('selects the platform from an index, and honours --platform', async () => {
    const ma = await crafted.addMultiArch('multi/arch', '1');
    void ma;
    const host = process.arch === 'arm64' ? 'arm64' : 'amd64';
    expect((await e.docker(['pull', `${crafted.host}/multi/arch:1`])).code).toBe(0);
    expect((await e.docker(['image', 'inspect', '-f', '{{.Architecture}}', `${crafted.host}/multi/arch:1`])).stdout.trim()).toBe(host);
    const other = host === 'amd64' ? 'arm64' : 'amd64';
    expect((await e.docker(['pull', '--platform', `linux/${other}`, `${crafted.host}/multi/arch:1`])).code).toBe(0);
    expect((await e.docker(['image', 'inspect', '-f', '{{.Architecture}}', `${crafted.host}/multi/arch:1`])).stdout.trim()).toBe(other);
    const none = await e.docker(['pull', '--platform', 'linux/s390x', `${crafted.host}/multi/arch:1`]);
    expect(none.stderr + none.stdout).toMatch(/no matching manifest for linux\/s390x/);
  });

  it('pulls zstd and uncompressed layers, and resumes a dropped download', async () => {
    await crafted.addImage('comp/zstd', '1', { layers: [base, { files: { 'z.txt': 'zstd layer\n' } }], compression: 'zstd' });
    expect((await e.docker(['pull', `${crafted.host}/comp/zstd:1`])).code).toBe(0);
    expect((await e.docker(['run', '--rm', `${crafted.host}/comp/zstd:1`, 'cat', '/z.txt'])).stdout).toBe('zstd layer\n');
    await crafted.addImage('comp/none', '1', { layers: [base, { files: { 'n.txt': 'plain\n' } }], compression: 'none' });
    expect((await e.docker(['pull', `${crafted.host}/comp/none:1`])).code).toBe(0);

    const img = await crafted.addImageFull('drop/once', '1', { layers: [base, { files: { 'big.bin': Buffer.alloc(3_000_000, 7) } }] });
    crafted.dropBlobOnce(digestOf(img.layers[1]));
    const r = await e.docker(['pull', `${crafted.host}/drop/once:1`]);
    expect(r.code).toBe(0);
    expect(crafted.blobGets(digestOf(img.layers[1])).some((q) => q.range)).toBe(true);
  });
});

describe('configuration and garbage collection', () => {
  it('shows insecure registries and mirrors from the config file in docker info', async () => {
    const info = JSON.parse((await e.docker(['info', '--format', '{{json .RegistryConfig}}'])).stdout);
    expect(info.InsecureRegistryCIDRs).toContain('127.0.0.0/8');
    expect(Object.keys(info.IndexConfigs)).toContain('registry.example:5000');
    expect(info.Mirrors).toEqual(['http://127.0.0.1:1']);
  });

  it('rmi and image prune remove blobs and layers nothing references', async () => {
    const ref = `${open.host}/test/busybox:1`;
    await e.docker(['pull', ref]);
    await e.docker(['rmi', '-f', ...(await e.docker(['images', '-q'])).stdout.split('\n').filter(Boolean)]);
    await e.docker(['image', 'prune', '-a', '-f']);
    expect((await e.docker(['images', '-aq'])).stdout.trim()).toBe('');
    expect(await blobCount()).toBe(0);
    const layers = await fs.readdir(path.join(e.dataRoot, 'layers')).catch(() => []);
    expect(layers.filter((l) => !l.startsWith('.') && l !== 'empty')).toEqual([]);
  });
});
