import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import tar from 'tar-stream';
import { exec } from '../sys/exec.ts';
import { applyLayer, unpackLayer } from './layer-unpack.ts';

type Entry = { name: string; type?: 'file' | 'directory' | 'symlink' | 'link' | 'fifo'; body?: string; mode?: number; linkname?: string; uid?: number; gid?: number; pax?: Record<string, string> };

async function makeTar(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  for (const e of entries) {
    const type = e.type ?? 'file';
    const header = { name: e.name, type, mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644), uid: e.uid ?? 0, gid: e.gid ?? 0, mtime: new Date(1_700_000_000_000), linkname: e.linkname, pax: e.pax };
    await new Promise<void>((resolve, reject) => pack.entry(header, type === 'file' ? (e.body ?? '') : '', (err) => (err ? reject(err) : resolve())));
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

let tmp: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-unpack-'));
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

async function apply(entries: Entry[], gzip = false) {
  const buf = await makeTar(entries);
  const dir = path.join(tmp, 'layer');
  const res = await unpackLayer(Readable.from([gzip ? gzipSync(buf) : buf]), dir);
  return { dir, res, buf };
}

describe('unpackLayer', () => {
  it('writes files, dirs, symlinks, hardlinks with modes, owners and mtimes; reports diffID and size', async () => {
    const { dir, res, buf } = await apply(
      [
        { name: 'etc/', type: 'directory', mode: 0o750 },
        { name: 'etc/passwd', body: 'root:x:0:0\n', mode: 0o600, uid: 12, gid: 34 },
        { name: '/bin/busybox', body: 'ELF', mode: 0o4755 },
        { name: 'bin/sh', type: 'link', linkname: 'bin/busybox' },
        { name: './usr/bin/env', type: 'symlink', linkname: '/bin/busybox' },
        { name: 'tmp/', type: 'directory', mode: 0o1777 },
      ],
      true,
    );
    expect(res.diffId).toBe('sha256:' + createHash('sha256').update(buf).digest('hex'));
    expect(res.tarSize).toBe(buf.length);
    expect(res.size).toBe(11 + 3);
    const passwd = await fs.stat(path.join(dir, 'etc/passwd'));
    expect([passwd.mode & 0o7777, passwd.uid, passwd.gid]).toEqual([0o600, 12, 34]);
    expect(passwd.mtimeMs).toBe(1_700_000_000_000);
    expect((await fs.stat(path.join(dir, 'etc'))).mode & 0o7777).toBe(0o750);
    expect((await fs.stat(path.join(dir, 'etc'))).mtimeMs).toBe(1_700_000_000_000);
    expect((await fs.stat(path.join(dir, 'tmp'))).mode & 0o7777).toBe(0o1777);
    expect((await fs.stat(path.join(dir, 'bin/busybox'))).mode & 0o7777).toBe(0o4755);
    expect((await fs.stat(path.join(dir, 'bin/sh'))).ino).toBe((await fs.stat(path.join(dir, 'bin/busybox'))).ino);
    expect(await fs.readlink(path.join(dir, 'usr/bin/env'))).toBe('/bin/busybox');
  });

  it('turns .wh. files into 0/0 char devices and .wh..wh..opq into the opaque xattr', async () => {
    const { dir } = await apply([
      { name: 'data/', type: 'directory' },
      { name: 'data/.wh.gone.txt' },
      { name: 'opq/.wh..wh..opq' },
      { name: 'opq/new.txt', body: 'new' },
    ]);
    const wh = await fs.lstat(path.join(dir, 'data/gone.txt'));
    expect(wh.isCharacterDevice()).toBe(true);
    expect(wh.rdev).toBe(0);
    await expect(fs.access(path.join(dir, 'data/.wh.gone.txt'))).rejects.toThrow();
    const { stdout } = await exec('getfattr', ['-h', '-n', 'trusted.overlay.opaque', '--only-values', path.join(dir, 'opq')]);
    expect(stdout).toBe('y');
    expect(await fs.readFile(path.join(dir, 'opq/new.txt'), 'utf8')).toBe('new');
  });

  it('later entries replace earlier ones; fifos are created', async () => {
    const { dir } = await apply([
      { name: 'a', body: 'one' },
      { name: 'a', type: 'directory' },
      { name: 'a/b', body: 'two' },
      { name: 'p', type: 'fifo' },
    ]);
    expect(await fs.readFile(path.join(dir, 'a/b'), 'utf8')).toBe('two');
    expect((await fs.lstat(path.join(dir, 'p'))).isFIFO()).toBe(true);
  });

  it('follows a relative symlink that stays inside the layer', async () => {
    const { dir } = await apply([{ name: 'real/', type: 'directory' }, { name: 'lnk', type: 'symlink', linkname: 'real' }, { name: 'lnk/f', body: 'x' }]);
    expect(await fs.readFile(path.join(dir, 'real/f'), 'utf8')).toBe('x');
  });

  const escapes: Array<[string, Entry[]]> = [
    ['.. component', [{ name: '../escape.txt', body: 'x' }]],
    ['.. in the middle', [{ name: 'a/../../escape.txt', body: 'x' }]],
    ['absolute symlink written through', [{ name: 'evil', type: 'symlink', linkname: '/' }, { name: 'evil/tmp/pwned', body: 'x' }]],
    ['relative symlink leaving the root', [{ name: 'evil', type: 'symlink', linkname: '../..' }, { name: 'evil/pwned', body: 'x' }]],
    ['hardlink to an outside target', [{ name: 'h', type: 'link', linkname: '../../etc/passwd' }]],
    ['hardlink through a symlink', [{ name: 'evil', type: 'symlink', linkname: '/etc' }, { name: 'h', type: 'link', linkname: 'evil/passwd' }]],
    ['whiteout of ..', [{ name: 'a/.wh...', body: '' }]],
  ];
  for (const [what, entries] of escapes) {
    it(`refuses ${what} and leaves nothing behind`, async () => {
      const before = await fs.readdir(tmp);
      await expect(apply(entries)).rejects.toMatchObject({ kind: 'InvalidArgument' });
      expect(await fs.readdir(tmp)).toEqual(before);
      await expect(fs.access(path.join(path.dirname(tmp), 'escape.txt'))).rejects.toThrow();
    });
  }

  it('unpacks a zstd layer (made by the zstd CLI) and hashes the uncompressed tar', async () => {
    const buf = await makeTar([{ name: 'z/hello.txt', body: 'zstd!' }]);
    await fs.writeFile(path.join(tmp, 'l.tar'), buf);
    await exec('zstd', ['-q', '-3', path.join(tmp, 'l.tar'), '-o', path.join(tmp, 'l.tar.zst')]);
    const zst = await fs.readFile(path.join(tmp, 'l.tar.zst'));
    const dir = path.join(tmp, 'layer');
    await fs.mkdir(dir);
    const res = await applyLayer(Readable.from([zst.subarray(0, 7), zst.subarray(7)]), dir);
    expect(res.diffId).toBe(`sha256:${createHash('sha256').update(buf).digest('hex')}`);
    expect(await fs.readFile(path.join(dir, 'z/hello.txt'), 'utf8')).toBe('zstd!');
  });

  it('turns a corrupt zstd stream into InvalidArgument', async () => {
    const zstd = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]);
    await expect(applyLayer(Readable.from([zstd]), tmp)).rejects.toMatchObject({ kind: 'InvalidArgument' });
  });

  it('turns corrupt tar or gzip data into InvalidArgument', async () => {
    const junk = Buffer.alloc(2048, 'x');
    await expect(applyLayer(Readable.from([junk]), tmp)).rejects.toMatchObject({ kind: 'InvalidArgument' });
    const badGzip = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), junk]);
    await expect(applyLayer(Readable.from([badGzip]), tmp)).rejects.toMatchObject({ kind: 'InvalidArgument' });
  });

  it('accepts an empty tar (docker import of nothing)', async () => {
    const { res } = await apply([]);
    expect(res.size).toBe(0);
  });
});
