import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mount, unmount } from '../sys/mount.ts';
import { makeNodes } from '../sys/mknod.ts';
import { setXattrs } from '../sys/xattr.ts';
import { Snapshotter } from './snapshotter.ts';

const chain = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
let root: string;
let snaps: Snapshotter;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-snap-'));
  snaps = await Snapshotter.open(path.join(root, 'layers'));
});
afterEach(async () => {
  await unmount(path.join(root, 'merged'), { lazy: true }).catch(() => undefined);
  await fs.rm(root, { recursive: true, force: true });
});

// Writes a layer the way layer-unpack leaves one: `.wh.x` → 0/0 char device, `.wh..wh..opq` → opaque xattr.
async function addLayer(id: string, files: Array<[string, string]>) {
  const p = await snaps.prepareLayer(id);
  let size = 0;
  for (const [name, body] of files) {
    const dir = path.join(p.dir, path.dirname(name));
    const base = path.basename(name);
    await fs.mkdir(dir, { recursive: true });
    if (base === '.wh..wh..opq') await setXattrs([{ path: dir, name: 'trusted.overlay.opaque', value: Buffer.from('y') }]);
    else if (base.startsWith('.wh.')) await makeNodes([{ path: path.join(dir, base.slice(4)), kind: 'char', major: 0, minor: 0 }]);
    else await fs.writeFile(path.join(dir, base), body);
    size += body.length;
  }
  await p.commit({ diffId: id, size });
}

describe('Snapshotter', () => {
  it('commits, lists, sizes and removes layers; aborted ones leave nothing', async () => {
    await addLayer(chain(1), [['a.txt', 'aaa']]);
    expect(snaps.has(chain(1))).toBe(true);
    expect(snaps.size(chain(1))).toBe(3);
    expect(await fs.readFile(path.join(snaps.layerDir(chain(1)), 'a.txt'), 'utf8')).toBe('aaa');
    expect(snaps.layerDir(chain(1))).toBe(path.join(root, 'layers', '1'.repeat(20), 'diff'));
    await expect(snaps.prepareLayer(chain(1))).rejects.toMatchObject({ kind: 'Conflict' });
    const p = await snaps.prepareLayer(chain(2));
    await p.abort();
    const reopened = await Snapshotter.open(path.join(root, 'layers'));
    expect(reopened.list().map((l) => l.chainId)).toEqual([chain(1)]);
    await reopened.remove(chain(1));
    expect(await fs.readdir(path.join(root, 'layers'))).toEqual(['empty']);
  });

  it('returns an overlay mount (top first) that shows whiteouts and opaque dirs', async () => {
    await addLayer(chain(1), [['d/keep', 'k'], ['d/gone', 'g'], ['o/old', 'o']]);
    await addLayer(chain(2), [['d/.wh.gone', ''], ['o/.wh..wh..opq', ''], ['o/new', 'n']]);
    const cdir = path.join(root, 'ctr');
    const mounts = await snaps.prepareContainer(cdir, [snaps.layerDir(chain(2)), snaps.layerDir(chain(1))]);
    expect(mounts).toEqual([
      { type: 'overlay', source: 'overlay', options: [`lowerdir=${snaps.layerDir(chain(2))}:${snaps.layerDir(chain(1))}`, `upperdir=${cdir}/upper`, `workdir=${cdir}/work`] },
    ]);
    const merged = path.join(root, 'merged');
    await mount(mounts[0], merged);
    try {
      expect((await fs.readdir(path.join(merged, 'd'))).sort()).toEqual(['keep']);
      expect(await fs.readdir(path.join(merged, 'o'))).toEqual(['new']);
    } finally {
      await unmount(merged);
    }
    await snaps.removeContainer(cdir);
    expect(await fs.readdir(cdir)).toEqual([]);
  });

  it('gives images without layers an empty lowerdir', async () => {
    const cdir = path.join(root, 'ctr0');
    const [m] = await snaps.prepareContainer(cdir, []);
    expect(m.options[0]).toBe(`lowerdir=${snaps.emptyDir()}`);
    const merged = path.join(root, 'merged');
    await mount(m, merged);
    await fs.writeFile(path.join(merged, 'x'), 'y');
    await unmount(merged);
    expect(await fs.readdir(snaps.emptyDir())).toEqual([]);
  });
});
