import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import os from 'node:os';
import path from 'node:path';
import { configOf, dockerArchive, sha256, tarOf, type FixtureImage } from '../../../test/fixtures/fixture-archive.ts';
import { ImageStore } from './image-store.ts';

let root: string;
let store: ImageStore;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-archive-'));
  store = await ImageStore.open(root, () => {});
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const image = async (tag: string, files: Array<[string, string]>): Promise<FixtureImage> => ({
  repoTags: [tag],
  layers: [await tarOf(files.map(([name, body]) => ({ name, type: 'file' as const, body })))],
  runConfig: { Cmd: ['sh'] },
  history: [{ createdBy: 'x' }],
  arch: 'amd64',
});

async function expectNothingStored() {
  expect(store.list()).toEqual([]);
  expect(await fs.readdir(path.join(root, 'layers'))).toEqual(['empty']);
  expect(await fs.readdir(path.join(root, 'content', 'sha256'))).toEqual([]);
  expect(await fs.readdir(path.join(root, 'content', 'tmp'))).toEqual([]);
}

describe('load', () => {
  it('follows dockerd-style symlinked layer.tar entries', async () => {
    const img = await image('a:1', [['f', 'x']]);
    const config = configOf(img);
    const archive = await tarOf([
      { name: 'real/layer.tar', type: 'file', body: img.layers[0] },
      { name: 'dup/layer.tar', type: 'symlink', linkname: '../real/layer.tar' },
      { name: 'c.json', type: 'file', body: config },
      { name: 'manifest.json', type: 'file', body: JSON.stringify([{ Config: 'c.json', RepoTags: ['a:1'], Layers: ['dup/layer.tar'] }]) },
    ]);
    expect(await store.load(Readable.from([archive]))).toEqual(['Loaded image: a:1']);
    expect(store.get('a:1').id).toBe(sha256(config));
  });

  it('reports untagged images by ID', async () => {
    const img = { ...(await image('a:1', [['f', 'x']])), repoTags: [] };
    expect(await store.load(Readable.from([await dockerArchive([img])]))).toEqual([`Loaded image ID: ${sha256(configOf(img))}`]);
  });

  it('is all-or-nothing across the images of one archive', async () => {
    const good = await image('good:1', [['g', 'good']]);
    const bad = await image('bad:1', [['b', 'bad']]);
    const archive = await dockerArchive([good, bad]);
    // Corrupt the second image's layer content so its diffID no longer matches its config.
    const corrupted = Buffer.from(archive);
    const at = corrupted.indexOf(Buffer.from('bad\0'));
    corrupted.write('BAD', at);
    await expect(store.load(Readable.from([corrupted]))).rejects.toThrow(/invalid diffID for layer 0/);
    await expectNothingStored();
  });

  it('refuses archives with missing files, escaping names, or no manifest', async () => {
    const img = await image('a:1', [['f', 'x']]);
    const missing = await tarOf([
      { name: 'c.json', type: 'file', body: configOf(img) },
      { name: 'manifest.json', type: 'file', body: JSON.stringify([{ Config: 'c.json', RepoTags: ['a:1'], Layers: ['nope/layer.tar'] }]) },
    ]);
    await expect(store.load(Readable.from([missing]))).rejects.toThrow('invalid archive: nope/layer.tar is missing');
    await expectNothingStored();
    const escaping = await tarOf([{ name: '../x', type: 'file', body: 'x' }]);
    await expect(store.load(Readable.from([escaping]))).rejects.toMatchObject({ kind: 'InvalidArgument' });
    const empty = await tarOf([{ name: 'hello', type: 'file', body: 'x' }]);
    await expect(store.load(Readable.from([empty]))).rejects.toThrow(/neither manifest.json nor index.json/);
    await expectNothingStored();
  });

  it('refuses an OCI blob whose content does not match its name', async () => {
    const name = `blobs/sha256/${'0'.repeat(64)}`;
    const archive = await tarOf([
      { name: 'oci-layout', type: 'file', body: '{"imageLayoutVersion":"1.0.0"}' },
      { name, type: 'file', body: 'not that' },
      { name: 'index.json', type: 'file', body: JSON.stringify({ schemaVersion: 2, manifests: [] }) },
    ]);
    await expect(store.load(Readable.from([archive]))).rejects.toThrow(/digest mismatch/);
    await expectNothingStored();
  });
});
