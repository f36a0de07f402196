import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { createReadStream, promises as fs } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import os from 'node:os';
import path from 'node:path';
import tar from 'tar-stream';
import { buildFixtures, type Fixtures } from '../../../test/fixtures/build-fixtures.ts';
import { ImageStore } from './image-store.ts';

let fx: Fixtures;
let root: string;
let store: ImageStore;
let events: Array<[string, string, Record<string, string>]>;
const nobody = () => [];

beforeAll(async () => {
  fx = await buildFixtures(path.resolve('test/.work/fixtures'));
}, 60_000);
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-images-'));
  events = [];
  store = await ImageStore.open(root, (a, id, attrs) => events.push([a, id, attrs]));
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});
afterAll(async () => {
  await fs.rm(path.join(os.tmpdir(), 'escape.txt'), { force: true });
});

const load = (file: string) => store.load(createReadStream(file));

async function saveToBuffer(refs: string[]): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await store.save(refs, out);
  return Buffer.concat(chunks);
}

async function tarNames(buf: Buffer): Promise<Map<string, Buffer>> {
  const ex = tar.extract();
  const files = new Map<string, Buffer>();
  Readable.from([buf]).pipe(ex as unknown as NodeJS.WritableStream);
  for await (const e of ex) {
    const parts: Buffer[] = [];
    for await (const c of e) parts.push(c as Buffer);
    files.set(e.header.name, Buffer.concat(parts));
  }
  return files;
}

async function dirContents(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(root, { recursive: true })) out.push(String(e));
  return out.sort();
}

describe('ImageStore', () => {
  it('loads a docker-archive and finds it by name, ID and prefix', async () => {
    expect(await load(fx.busybox)).toEqual(['Loaded image: berth-test/busybox:latest']);
    const img = store.get('berth-test/busybox');
    expect(img.repoTags).toEqual(['berth-test/busybox:latest']);
    expect(img.repoDigests).toEqual([]);
    expect(img.config.config?.Cmd).toEqual(['sh']);
    expect(img.size).toBeGreaterThan(500_000);
    expect(store.get(img.id).id).toBe(img.id);
    expect(store.get(img.id.slice(7, 19)).id).toBe(img.id);
    expect(store.get(`docker.io/berth-test/busybox:latest`).id).toBe(img.id);
    expect(() => store.get('nosuch')).toThrow('No such image: nosuch:latest');
    expect(() => store.get('Bad')).toThrow('invalid reference format: repository name (library/Bad) must be lowercase');
    expect(store.tryGet('nosuch')).toBeUndefined();
    expect(events.map((e) => e[0])).toEqual(['tag', 'load']);
    const dirs = store.lowerDirs(img);
    expect(dirs).toHaveLength(1);
    expect((await fs.lstat(path.join(dirs[0], 'bin/sh'))).nlink).toBeGreaterThan(100);
  });

  it('loads layered images with whiteouts, and history follows the layers', async () => {
    await load(fx.layers);
    const img = store.get('berth-test/layers:latest');
    const dirs = store.lowerDirs(img);
    expect(dirs).toHaveLength(4);
    expect((await fs.lstat(path.join(dirs[1], 'data/gone.txt'))).isCharacterDevice()).toBe(true);
    const h = store.history('berth-test/layers');
    expect(h).toHaveLength(5);
    expect(h[0]).toMatchObject({ id: img.id, tags: ['berth-test/layers:latest'], size: 0, createdBy: '/bin/sh -c #(nop)  CMD ["sh"]' });
    expect(h[1]).toMatchObject({ id: '<missing>', createdBy: '/bin/sh -c echo hello > /hello.txt', size: 6 });
    expect(h[4].size).toBeGreaterThan(500_000);
  });

  it('loads an OCI layout with gzip layers and names it from annotations', async () => {
    expect(await load(fx.busyboxOci)).toEqual(['Loaded image: berth-test/busybox-oci:latest']);
    await load(fx.busybox);
    // Same config and layers as the docker-archive busybox: same ID, layer shared.
    expect(store.get('berth-test/busybox-oci').id).toBe(store.get('berth-test/busybox').id);
    expect(store.list()).toHaveLength(1);
  });

  for (const which of ['evilDotdot', 'evilSymlink'] as const) {
    it(`refuses ${which} and stores nothing`, async () => {
      await expect(load(fx[which])).rejects.toMatchObject({ kind: 'InvalidArgument' });
      expect(store.list()).toEqual([]);
      expect(await dirContents(path.join(root, 'layers'))).toEqual(['empty']);
      expect(await dirContents(path.join(root, 'content'))).toEqual(['sha256', 'tmp']);
      await expect(fs.access('/tmp/pwned')).rejects.toThrow();
    });
  }

  it('moves a tag on reload and leaves the old image dangling', async () => {
    await load(fx.busybox);
    const old = store.get('berth-test/busybox').id;
    await load(fx.httpd);
    await store.tag('berth-test/httpd:latest', 'berth-test/busybox');
    expect(store.get('berth-test/busybox').id).toBe(store.get('berth-test/httpd').id);
    expect(store.get(old).repoTags).toEqual([]);
  });

  it('follows Docker rmi semantics', async () => {
    await load(fx.busybox);
    const id = store.get('berth-test/busybox').id;
    await store.tag('berth-test/busybox', 'other:v1');
    const short = id.slice(7, 19);
    await expect(store.remove(id, { force: false, noPrune: false, usedBy: nobody })).rejects.toThrow(
      `conflict: unable to delete ${short} (must be forced) - image is referenced in multiple repositories`,
    );
    // By name with another tag left: untag only.
    expect(await store.remove('other:v1', { force: false, noPrune: false, usedBy: nobody })).toEqual([{ untagged: 'other:v1' }]);
    const stopped = () => [{ id: 'c0ffee000000111122223333', running: false }];
    await expect(store.remove('berth-test/busybox', { force: false, noPrune: false, usedBy: stopped })).rejects.toThrow(
      `conflict: unable to remove repository reference "berth-test/busybox" (must force) - container c0ffee000000 is using its referenced image ${short}`,
    );
    const running = () => [{ id: 'beef00000000', running: true }];
    await expect(store.remove(id, { force: true, noPrune: false, usedBy: running })).rejects.toThrow(
      `conflict: unable to delete ${short} (cannot be forced) - image is being used by running container beef00000000`,
    );
    await expect(store.remove(id, { force: false, noPrune: false, usedBy: stopped })).rejects.toThrow(
      `conflict: unable to delete ${short} (must be forced) - image is being used by stopped container c0ffee000000`,
    );
    // Force by name while a container uses it: untagged, image stays (dangling).
    expect(await store.remove('berth-test/busybox', { force: true, noPrune: false, usedBy: running })).toEqual([{ untagged: 'berth-test/busybox:latest' }]);
    expect(store.get(id).repoTags).toEqual([]);
    const res = await store.remove(short, { force: false, noPrune: false, usedBy: nobody });
    expect(res[0]).toEqual({ deleted: id });
    expect(res).toHaveLength(2); // the image and its one layer
    expect(store.list()).toEqual([]);
    expect((await store.content.list()).length).toBe(0);
    expect(store.snapshots.list()).toEqual([]);
    await expect(store.remove('berth-test/busybox', { force: false, noPrune: false, usedBy: nobody })).rejects.toThrow('No such image: berth-test/busybox:latest');
  });

  it('keeps shared layers until the last image using them goes', async () => {
    await load(fx.busybox);
    await load(fx.httpd);
    const res = await store.remove('berth-test/httpd', { force: false, noPrune: false, usedBy: nobody });
    expect(res.map((r) => Object.keys(r)[0])).toEqual(['untagged', 'deleted', 'deleted']);
    expect(store.lowerDirs(store.get('berth-test/busybox'))).toHaveLength(1);
    expect(store.diskUsage().images).toHaveLength(1);
  });

  it('saves a docker-archive that loads back to the same image', async () => {
    await load(fx.layers);
    const before = store.get('berth-test/layers');
    const buf = await saveToBuffer(['berth-test/layers']);
    const names = await tarNames(buf);
    const manifest = JSON.parse(names.get('manifest.json')!.toString()) as Array<{ Config: string; RepoTags: string[]; Layers: string[] }>;
    expect(manifest[0].RepoTags).toEqual(['berth-test/layers:latest']);
    expect(manifest[0].Layers).toHaveLength(4);
    expect(names.has('index.json') && names.has('oci-layout')).toBe(true);
    await store.remove('berth-test/layers', { force: false, noPrune: false, usedBy: nobody });
    expect(await store.load(Readable.from([buf]))).toEqual(['Loaded image: berth-test/layers:latest']);
    expect(store.get('berth-test/layers').id).toBe(before.id);
    expect(events.some((e) => e[0] === 'save')).toBe(true);
  });

  it('imports a rootfs with changes', async () => {
    const img = await store.importRootfs(createReadStream(fx.rootfs), { ref: 'imported:v1', changes: ['CMD ["sh"]', 'ENV A=1 B="x y"', 'EXPOSE 80', 'WORKDIR /tmp'], message: 'hi' });
    expect(img.repoTags).toEqual(['imported:v1']);
    expect(img.config.config).toMatchObject({ Cmd: ['sh'], Env: ['A=1', 'B=x y'], ExposedPorts: { '80/tcp': {} }, WorkingDir: '/tmp' });
    expect(store.history('imported:v1')[0]).toMatchObject({ comment: 'hi', id: img.id });
    const empty = await store.importRootfs(Readable.from([Buffer.alloc(1024)]), {});
    expect(empty.repoTags).toEqual([]);
    expect(store.lowerDirs(empty)).toHaveLength(1);
  });

  it('prunes dangling images, or all unused ones', async () => {
    await load(fx.busybox);
    await load(fx.volume);
    await store.remove('berth-test/busybox', { force: true, noPrune: false, usedBy: () => [{ id: 'a'.repeat(64), running: true }] });
    const usedBy = (id: string) => (id === store.get('berth-test/volume').id ? [{ id: 'b'.repeat(64), running: false }] : []);
    let r = await store.prune({ all: false, usedBy });
    expect(r.deleted).toHaveLength(1); // the dangling busybox; its layer is shared with volume
    expect(r.spaceReclaimed).toBe(0);
    r = await store.prune({ all: true, usedBy });
    expect(r.deleted).toEqual([]);
    r = await store.prune({ all: true, usedBy: nobody });
    expect(r.deleted[0]).toEqual({ untagged: 'berth-test/volume:latest' });
    expect(r.spaceReclaimed).toBeGreaterThan(500_000);
    expect(store.list()).toEqual([]);
  });

  it('survives a reopen', async () => {
    await load(fx.httpd);
    const again = await ImageStore.open(root, () => {});
    expect(again.get('berth-test/httpd').repoTags).toEqual(['berth-test/httpd:latest']);
    expect(again.snapshots.list()).toHaveLength(2);
  });
});
