import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { ContentStore } from './content-store.ts';

const digestOf = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
let root: string;
let store: ContentStore;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-content-'));
  store = await ContentStore.open(root);
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('ContentStore', () => {
  it('stores a stream under its digest and reads it back', async () => {
    const data = Buffer.from('hello blob');
    const put = await store.put(Readable.from([data.subarray(0, 3), data.subarray(3)]), digestOf(data));
    expect(put).toEqual({ digest: digestOf(data), size: data.length, existed: false });
    expect(await store.has(put.digest)).toBe(true);
    expect(await store.size(put.digest)).toBe(data.length);
    expect(await store.read(put.digest)).toEqual(data);
    const chunks: Buffer[] = [];
    for await (const c of await store.get(put.digest)) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks)).toEqual(data);
    expect(await store.list()).toEqual([{ digest: put.digest, size: data.length }]);
    expect((await store.put(data)).existed).toBe(true);
    await store.delete(put.digest);
    expect(await store.has(put.digest)).toBe(false);
    await store.delete(put.digest); // idempotent
  });

  it('refuses a wrong digest and stores nothing', async () => {
    const wrong = digestOf(Buffer.from('other'));
    await expect(store.put(Buffer.from('data'), wrong)).rejects.toMatchObject({ kind: 'InvalidArgument' });
    expect(await store.list()).toEqual([]);
    expect(await fs.readdir(path.join(root, 'tmp'))).toEqual([]);
  });

  it('cleans up when the source stream fails', async () => {
    const failing = new Readable({ read() { this.destroy(new Error('boom')); } });
    await expect(store.put(failing)).rejects.toThrow('boom');
    expect(await fs.readdir(path.join(root, 'tmp'))).toEqual([]);
  });

  it('rejects malformed digests (no path tricks) and reports missing blobs', async () => {
    expect(() => store.path('sha256:../../etc/passwd')).toThrow(/invalid digest/);
    const missing = digestOf(Buffer.from('nope'));
    await expect(store.read(missing)).rejects.toMatchObject({ kind: 'NotFound' });
    await expect(store.get(missing)).rejects.toMatchObject({ kind: 'NotFound' });
    await expect(store.size(missing)).rejects.toMatchObject({ kind: 'NotFound' });
  });
});
