import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveUser, resolveUserFrom } from './user-resolver.ts';
import { resolveInRootfs } from './rootfs-path.ts';

const passwd = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\napp:x:1000:1000::/home/app:/bin/sh\n';
const group = 'root:x:0:\nwheel:x:10:app,root\naudio:x:29:app\napp:x:1000:\nnogroup:x:65534:\n';

describe('resolveUserFrom', () => {
  it('defaults to root with its supplementary groups', () => {
    expect(resolveUserFrom('', passwd, group)).toEqual({ uid: 0, gid: 0, additionalGids: [10], home: '/root' });
  });
  it('resolves names and numbers', () => {
    expect(resolveUserFrom('app', passwd, group)).toEqual({ uid: 1000, gid: 1000, additionalGids: [10, 29], home: '/home/app' });
    expect(resolveUserFrom('1000', passwd, group).gid).toBe(1000);
    expect(resolveUserFrom('4242', passwd, group)).toEqual({ uid: 4242, gid: 0, additionalGids: [], home: '/' });
    expect(resolveUserFrom('app:audio', passwd, group)).toEqual({ uid: 1000, gid: 29, additionalGids: [], home: '/home/app' });
    expect(resolveUserFrom('nobody:77', passwd, group).gid).toBe(77);
  });
  it('works without passwd/group files for numeric ids', () => {
    expect(resolveUserFrom('5:6', undefined, undefined)).toEqual({ uid: 5, gid: 6, additionalGids: [], home: '/' });
  });
  it('uses Docker messages for unknown names', () => {
    expect(() => resolveUserFrom('nope', passwd, group)).toThrow('unable to find user nope: no matching entries in passwd file');
    expect(() => resolveUserFrom('nope', undefined, group)).toThrow('unable to find user nope: no matching entries in passwd file');
    expect(() => resolveUserFrom('app:nope', passwd, group)).toThrow('unable to find group nope: no matching entries in group file');
  });
  it('adds GroupAdd entries', () => {
    expect(resolveUserFrom('app:app', passwd, group, ['audio', '99']).additionalGids).toEqual([29, 99]);
  });
});

describe('resolveUser on a rootfs', () => {
  let root: string;
  let outside: string;
  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-user-'));
    outside = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-outside-'));
    await fs.mkdir(path.join(root, 'etc'));
    await fs.writeFile(path.join(outside, 'passwd'), 'evil:x:666:666::/:/bin/sh\n');
  });
  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
    await fs.rm(outside, { recursive: true, force: true });
  });

  it('reads the image files', async () => {
    await fs.writeFile(path.join(root, 'etc/passwd'), passwd);
    await fs.writeFile(path.join(root, 'etc/group'), group);
    expect(await resolveUser(root, 'app')).toMatchObject({ uid: 1000, gid: 1000 });
  });

  it('never follows a symlink out of the rootfs', async () => {
    await fs.rm(path.join(root, 'etc/passwd'));
    await fs.symlink(path.join(outside, 'passwd'), path.join(root, 'etc/passwd'));
    await expect(resolveUser(root, 'evil')).rejects.toThrow('unable to find user evil');
    await fs.rm(path.join(root, 'etc/passwd'));
    await fs.symlink('../../../../../../' + path.join(outside, 'passwd'), path.join(root, 'etc/passwd'));
    await expect(resolveUser(root, 'evil')).rejects.toThrow('unable to find user evil');
  });

  it('resolveInRootfs keeps links inside', async () => {
    await fs.mkdir(path.join(root, 'a/b'), { recursive: true });
    await fs.symlink('/a/b', path.join(root, 'abs'));
    await fs.symlink('../../..', path.join(root, 'a/b/up'));
    expect(await resolveInRootfs(root, '/abs/x')).toBe(path.join(root, 'a/b/x'));
    expect(await resolveInRootfs(root, '/a/b/up/etc')).toBe(path.join(root, 'etc'));
    expect(await resolveInRootfs(root, '/../../a/b')).toBe(path.join(root, 'a/b'));
    await fs.symlink('loop', path.join(root, 'loop'));
    await expect(resolveInRootfs(root, '/loop')).rejects.toThrow('too many levels');
  });
});
