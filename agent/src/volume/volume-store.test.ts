import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VolumeStore } from './volume-store.ts';
import { directorySize } from './directory-size.ts';

let root: string;
let events: string[];
let store: VolumeStore;
const noUsers = () => [];

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-vol-'));
  events = [];
  store = await VolumeStore.open(path.join(root, 'volumes'), (a, n) => events.push(`${a}:${n}`));
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('VolumeStore', () => {
  it('creates named and anonymous volumes, idempotently', async () => {
    const v = await store.create({ name: 'data', labels: { a: 'b' } });
    expect(v).toMatchObject({ name: 'data', driver: 'local', scope: 'local', labels: { a: 'b' }, options: {}, anonymous: false });
    expect(v.mountpoint).toBe(path.join(root, 'volumes', 'data', '_data'));
    expect(v.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect((await fs.stat(v.mountpoint)).isDirectory()).toBe(true);
    expect(await store.create({ name: 'data', labels: { other: '1' } })).toEqual(v);
    const anon = await store.create({ anonymous: true });
    expect(anon.name).toMatch(/^[0-9a-f]{64}$/);
    expect(anon.anonymous).toBe(true);
    expect(events).toEqual(['create:data', `create:${anon.name}`]);
    expect(store.list().map((x) => x.name)).toEqual([anon.name, 'data'].sort());
  });

  it('validates names, drivers and options with Docker texts', async () => {
    await expect(store.create({ name: 'a' })).rejects.toMatchObject({ kind: 'InvalidArgument' });
    await expect(store.create({ name: '/abs/path' })).rejects.toThrow(
      'create /abs/path: "/abs/path" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path',
    );
    await expect(store.create({ name: 'ok', driver: 'nfs' })).rejects.toMatchObject({ kind: 'NotFound' });
    await expect(store.create({ name: 'ok', options: { bogus: '1' } })).rejects.toThrow('invalid option key: "bogus"');
    expect(await fs.readdir(path.join(root, 'volumes'))).toEqual([]);
  });

  it('survives a reopen and sweeps interrupted creates', async () => {
    await store.create({ name: 'keep', options: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m,uid=1000' } });
    await fs.mkdir(path.join(root, 'volumes', '.create-dead', '_data'), { recursive: true });
    const again = await VolumeStore.open(path.join(root, 'volumes'), () => undefined);
    expect(again.get('keep')).toEqual(store.get('keep'));
    expect(await fs.readdir(path.join(root, 'volumes'))).toEqual(['keep']);
    expect(again.deviceMount('keep')).toEqual({ type: 'tmpfs', source: 'tmpfs', options: ['size=1m', 'uid=1000'] });
  });

  it('get / remove report Docker errors and honour users', async () => {
    expect(() => store.get('nope')).toThrow('get nope: no such volume');
    expect(store.tryGet('nope')).toBeUndefined();
    await expect(store.remove('nope', { force: false, usedBy: noUsers })).rejects.toMatchObject({ kind: 'NotFound' });
    await store.remove('nope', { force: true, usedBy: noUsers });
    await store.create({ name: 'busy' });
    await expect(store.remove('busy', { force: true, usedBy: () => ['abc', 'def'] })).rejects.toMatchObject({
      kind: 'Conflict',
      message: 'remove busy: volume is in use - [abc, def]',
    });
    await store.remove('busy', { force: false, usedBy: noUsers });
    expect(store.tryGet('busy')).toBeUndefined();
    expect(await fs.readdir(path.join(root, 'volumes'))).toEqual([]);
    expect(events).toContain('destroy:busy');
  });

  it('prunes anonymous unused volumes by default, all with all', async () => {
    const named = await store.create({ name: 'named' });
    const a1 = await store.create({ anonymous: true });
    const a2 = await store.create({ anonymous: true });
    await fs.writeFile(path.join(a1.mountpoint, 'f'), 'x'.repeat(1000));
    const usedBy = (n: string) => (n === a2.name ? ['c1'] : []);
    const r = await store.prune({ all: false, usedBy });
    expect(r).toEqual({ deleted: [a1.name], spaceReclaimed: 1000 });
    const r2 = await store.prune({ all: true, usedBy });
    expect(r2.deleted).toEqual([named.name]);
    expect(store.list().map((v) => v.name)).toEqual([a2.name]);
  });

  it('copies image content into an empty volume once, preserving metadata', async () => {
    const v = await store.create({ name: 'web' });
    const src = path.join(root, 'img');
    await fs.mkdir(path.join(src, 'sub'), { recursive: true });
    await fs.writeFile(path.join(src, 'sub', 'file'), 'hello', { mode: 0o640 });
    await fs.chmod(path.join(src, 'sub', 'file'), 0o640);
    await fs.symlink('sub/file', path.join(src, 'link'));
    await fs.chown(path.join(src, 'sub', 'file'), 1234, 5678);
    await fs.chmod(src, 0o750);
    await fs.chown(src, 42, 43);
    await store.copyUp('web', src);
    const f = await fs.stat(path.join(v.mountpoint, 'sub', 'file'));
    expect(f.mode & 0o777).toBe(0o640);
    expect([f.uid, f.gid]).toEqual([1234, 5678]);
    expect(await fs.readlink(path.join(v.mountpoint, 'link'))).toBe('sub/file');
    const d = await fs.stat(v.mountpoint);
    expect([d.mode & 0o777, d.uid, d.gid]).toEqual([0o750, 42, 43]);
    // Emptied by the user later: not filled again.
    await fs.rm(path.join(v.mountpoint, 'sub'), { recursive: true });
    await fs.rm(path.join(v.mountpoint, 'link'));
    await store.copyUp('web', src);
    expect(await fs.readdir(v.mountpoint)).toEqual([]);
  });

  it('does not copy into a volume that already has data', async () => {
    const v = await store.create({ name: 'full' });
    await fs.writeFile(path.join(v.mountpoint, 'mine'), '1');
    const src = path.join(root, 'img2');
    await fs.mkdir(src);
    await fs.writeFile(path.join(src, 'theirs'), '2');
    await store.copyUp('full', src);
    expect(await fs.readdir(v.mountpoint)).toEqual(['mine']);
    await store.copyUp('full', path.join(root, 'missing'));
  });
});

describe('directorySize', () => {
  it('counts hard links once and does not follow symlinks', async () => {
    const d = path.join(root, 'du');
    await fs.mkdir(path.join(d, 'x'), { recursive: true });
    await fs.writeFile(path.join(d, 'x', 'a'), Buffer.alloc(300));
    await fs.link(path.join(d, 'x', 'a'), path.join(d, 'b'));
    await fs.symlink('/etc', path.join(d, 'l'));
    expect(await directorySize(d)).toBe(300 + '/etc'.length);
    expect(await directorySize(path.join(root, 'gone'))).toBe(0);
  });
});
