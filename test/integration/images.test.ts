// Images from archives: load (docker-archive and OCI), images, inspect, tag, rmi, history, save, import.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEngine, type EngineHandle } from '../harness/engine-process.ts';
import { fixture, BUSYBOX, LAYERS } from '../harness/fixtures.ts';

let e: EngineHandle;
let tmp: string;
beforeAll(async () => {
  e = await startEngine('images');
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'img-'));
});
afterAll(async () => {
  await e?.stop();
  await fs.rm(tmp, { recursive: true, force: true });
});

const img = async (...args: string[]) => (await e.docker(['images', ...args])).stdout;

describe('images from archives', () => {
  it('loads docker-archive and OCI layout tars', async () => {
    const r = await e.docker(['load', '-i', fixture('busybox.tar')]);
    expect(r.stdout).toContain(`Loaded image: ${BUSYBOX}`);
    const oci = await e.docker(['load', '-i', fixture('busybox-oci.tar')]);
    expect(oci.code).toBe(0);
    expect(oci.stdout).toMatch(/Loaded image/);
    await e.docker(['load', '-i', fixture('layers.tar')]);
    expect(await img('--format', '{{.Repository}}:{{.Tag}}')).toContain(BUSYBOX);
  });

  it('lists with -a, -q, --digests, filters and --format', async () => {
    const q = (await img('-q')).trim().split('\n');
    expect(q.every((l) => /^[0-9a-f]{12}$/.test(l))).toBe(true);
    expect(await img('-a', '--digests')).toMatch(/DIGEST/);
    expect((await img('--filter', 'reference=berth-test/lay*', '--format', '{{.Repository}}')).trim()).toBe('berth-test/layers');
    expect((await img('--filter', 'dangling=true', '-q')).trim()).toBe('');
  });

  it('inspects: Id is the config digest, RootFS layers, RepoTags, Size', async () => {
    const [info] = JSON.parse((await e.docker(['image', 'inspect', LAYERS])).stdout);
    expect(info.Id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(info.RepoTags).toEqual([LAYERS]);
    expect(info.RootFS.Layers.length).toBe(4);
    expect(info.Size).toBeGreaterThan(100_000);
    expect(info.Config.Cmd).toBeTruthy();
  });

  it('history shows one row per layer with CreatedBy and size', async () => {
    const h = (await e.docker(['history', '--no-trunc', '--format', '{{.CreatedBy}}|{{.Size}}', LAYERS])).stdout.trim().split('\n');
    expect(h.length).toBeGreaterThanOrEqual(4);
    expect(h.join('\n')).toMatch(/hello/);
  });

  it('tags, untags and deletes with Docker semantics', async () => {
    expect((await e.docker(['tag', BUSYBOX, 'mine/box:v1'])).code).toBe(0);
    expect(await img('--format', '{{.Repository}}:{{.Tag}}')).toContain('mine/box:v1');
    const id = (await e.docker(['image', 'inspect', '-f', '{{.Id}}', BUSYBOX])).stdout.trim();
    const byId = await e.docker(['rmi', id.slice(7, 19)]);
    expect(byId.code).not.toBe(0);
    expect(byId.stderr).toContain('must be forced');
    const untag = await e.docker(['rmi', 'mine/box:v1']);
    expect(untag.stdout).toContain('Untagged: mine/box:v1');
    expect(untag.stdout).not.toContain('Deleted');
    await e.docker(['create', '--name', 'user', LAYERS]);
    const inUse = await e.docker(['rmi', LAYERS]);
    expect(inUse.code).not.toBe(0);
    expect(inUse.stderr).toMatch(/container .* is using its referenced image|being used/);
    await e.docker(['rm', 'user']);
  });

  it('saves a tar that loads back, and imports a rootfs tar', async () => {
    const out = path.join(tmp, 'saved.tar');
    expect((await e.docker(['save', '-o', out, LAYERS])).code).toBe(0);
    const id = (await e.docker(['image', 'inspect', '-f', '{{.Id}}', LAYERS])).stdout.trim();
    expect((await e.docker(['rmi', LAYERS])).stdout).toContain('Deleted');
    expect((await e.docker(['load', '-i', out])).stdout).toContain(`Loaded image: ${LAYERS}`);
    expect((await e.docker(['image', 'inspect', '-f', '{{.Id}}', LAYERS])).stdout.trim()).toBe(id);
    expect((await e.docker(['run', '--rm', LAYERS, 'cat', '/hello.txt'])).code).toBe(0);

    const imp = await e.docker(['import', '-c', 'CMD ["/bin/sh"]', fixture('rootfs.tar'), 'imported:v1']);
    expect(imp.stdout).toMatch(/^sha256:[0-9a-f]{64}/);
    expect((await e.docker(['run', '--rm', 'imported:v1', 'echo', 'imported ok'])).stdout).toBe('imported ok\n');
  });

  it('system df counts images, containers and volumes; system prune clears', async () => {
    const df = await e.docker(['system', 'df']);
    expect(df.stdout).toMatch(/Images\s+\d+/);
    expect(df.stdout).toMatch(/Local Volumes/);
    await e.docker(['run', '--name', 'stopped', BUSYBOX, 'true']);
    const pr = await e.docker(['system', 'prune', '-f']);
    expect(pr.code).toBe(0);
    expect((await e.docker(['ps', '-aq'])).stdout.trim()).toBe('');
  });
});
