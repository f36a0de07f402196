// Docker's `local` volume driver. Each volume is a directory `<root>/<name>/` holding the data
// (`_data`, what containers mount) and `volume.json`. A volume is created in a hidden temp dir and
// renamed into place, and removed by renaming it away first, so a crash never leaves half a
// volume visible; leftovers are swept on open.
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { writeJsonAtomic, readJson, syncDir } from '../sys/atomic-file.ts';
import { exec } from '../sys/exec.ts';
import type { Mount } from '../sys/mount.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import { log } from '../log.ts';
import { directorySize } from './directory-size.ts';

export interface Volume {
  name: string;
  driver: 'local';
  /** `<root>/<name>/_data` */
  mountpoint: string;
  createdAt: string;
  labels: Record<string, string>;
  options: Record<string, string>;
  scope: 'local';
  anonymous: boolean;
}

export interface CreateVolumeOptions {
  name?: string;
  labels?: Record<string, string>;
  driver?: string;
  options?: Record<string, string>;
  anonymous?: boolean;
}

interface Meta {
  name: string;
  createdAt: string;
  labels: Record<string, string>;
  options: Record<string, string>;
  anonymous: boolean;
  /** Set once the volume was pre-filled from an image directory (Docker copies only once). */
  copiedUp?: boolean;
}

type VolumeEvent = (action: 'create' | 'destroy', name: string) => void;

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const VALID_OPTS = new Set(['type', 'device', 'o', 'size']);
const META = 'volume.json';

export class VolumeStore {
  private readonly vols = new Map<string, Meta>();
  private copyLock: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly root: string,
    private readonly onEvent: VolumeEvent,
  ) {}

  static async open(root: string, onEvent: VolumeEvent): Promise<VolumeStore> {
    await fs.mkdir(root, { recursive: true, mode: 0o701 });
    const store = new VolumeStore(root, onEvent);
    for (const entry of await fs.readdir(root, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      if (entry.name.startsWith('.')) {
        // An interrupted create or remove.
        await fs.rm(path.join(root, entry.name), { recursive: true, force: true });
        continue;
      }
      const meta = await store.loadMeta(entry.name);
      if (meta) store.vols.set(meta.name, meta);
    }
    return store;
  }

  async create(opts: CreateVolumeOptions = {}): Promise<Volume> {
    const driver = opts.driver || 'local';
    if (driver !== 'local') throw notFound(`error looking up volume plugin ${driver}: plugin "${driver}" not found`);
    const name = opts.name || randomBytes(32).toString('hex');
    if (!NAME_RE.test(name)) {
      throw invalid(
        `create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
      );
    }
    const existing = this.vols.get(name);
    if (existing) return this.toVolume(existing);
    const options = { ...(opts.options ?? {}) };
    for (const key of Object.keys(options)) {
      if (!VALID_OPTS.has(key)) throw invalid(`create ${name}: invalid option key: "${key}"`);
    }
    const meta: Meta = {
      name,
      createdAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      labels: { ...(opts.labels ?? {}) },
      options,
      anonymous: opts.anonymous ?? false,
    };
    const tmp = path.join(this.root, `.create-${randomBytes(6).toString('hex')}`);
    try {
      await fs.mkdir(path.join(tmp, '_data'), { recursive: true, mode: 0o755 });
      await writeJsonAtomic(path.join(tmp, META), meta);
      await fs.rename(tmp, this.dir(name));
      await syncDir(this.root);
    } catch (e) {
      await fs.rm(tmp, { recursive: true, force: true });
      const code = (e as NodeJS.ErrnoException).code;
      // Lost a race with a concurrent create of the same name: Docker is idempotent here.
      if (code === 'ENOTEMPTY' || code === 'EEXIST') {
        const winner = this.vols.get(name) ?? (await this.loadMeta(name));
        if (winner) return this.toVolume(winner);
      }
      throw e;
    }
    this.vols.set(name, meta);
    this.onEvent('create', name);
    return this.toVolume(meta);
  }

  get(name: string): Volume {
    const v = this.tryGet(name);
    if (!v) throw notFound(`get ${name}: no such volume`);
    return v;
  }

  tryGet(name: string): Volume | undefined {
    const meta = this.vols.get(name);
    return meta ? this.toVolume(meta) : undefined;
  }

  list(): Volume[] {
    return [...this.vols.values()].sort((a, b) => a.name.localeCompare(b.name)).map((m) => this.toVolume(m));
  }

  async remove(name: string, opts: { force: boolean; usedBy: (name: string) => string[] }): Promise<void> {
    const meta = this.vols.get(name);
    if (!meta) {
      if (opts.force) return;
      throw notFound(`get ${name}: no such volume`);
    }
    const users = opts.usedBy(name);
    if (users.length > 0) throw conflict(`remove ${name}: volume is in use - [${users.join(', ')}]`);
    this.vols.delete(name);
    const trash = path.join(this.root, `.remove-${randomBytes(6).toString('hex')}`);
    try {
      await fs.rename(this.dir(name), trash);
    } catch (e) {
      this.vols.set(name, meta);
      throw e;
    }
    await fs.rm(trash, { recursive: true, force: true }).catch((e) => log.warn('volume data removal failed', { name, error: String(e) }));
    this.onEvent('destroy', name);
  }

  async prune(opts: { all: boolean; usedBy: (name: string) => string[] }): Promise<{ deleted: string[]; spaceReclaimed: number }> {
    const deleted: string[] = [];
    let spaceReclaimed = 0;
    for (const meta of [...this.vols.values()]) {
      if (!opts.all && !meta.anonymous) continue;
      if (opts.usedBy(meta.name).length > 0) continue;
      const size = await this.usage(meta.name).catch(() => 0);
      try {
        await this.remove(meta.name, { force: false, usedBy: opts.usedBy });
      } catch (e) {
        log.warn('volume prune skipped', { name: meta.name, error: String(e) });
        continue;
      }
      deleted.push(meta.name);
      spaceReclaimed += size;
    }
    return { deleted, spaceReclaimed };
  }

  async usage(name: string): Promise<number> {
    return directorySize(this.get(name).mountpoint);
  }

  /**
   * Docker's first-mount behaviour: an empty volume mounted over a directory of the image gets a
   * copy of that directory (content, modes, owners, symlinks), once.
   */
  copyUp(name: string, fromDir: string): Promise<void> {
    const run = this.copyLock.then(() => this.copyUpNow(name, fromDir));
    this.copyLock = run.catch(() => undefined);
    return run;
  }

  /** For volumes created with `type`/`device`/`o` options: what to mount on the mountpoint. */
  deviceMount(name: string): Mount | undefined {
    const v = this.get(name);
    if (!v.options.type && !v.options.device) return undefined;
    const options = (v.options.o ?? '').split(',').filter(Boolean);
    return { type: v.options.type || 'none', source: v.options.device || v.options.type || 'none', options };
  }

  private async copyUpNow(name: string, fromDir: string): Promise<void> {
    const meta = this.vols.get(name);
    if (!meta) throw notFound(`get ${name}: no such volume`);
    if (meta.copiedUp) return;
    const from = await fs.readdir(fromDir).catch(() => undefined);
    if (!from || from.length === 0) return;
    const data = path.join(this.dir(name), '_data');
    if ((await fs.readdir(data)).length > 0) return;
    // cp -a keeps modes, owners, timestamps, symlinks and hard links; `src/.` onto an existing
    // directory also gives it the source directory's own mode and owner, as Docker does.
    await exec('cp', ['-a', '--', `${fromDir}/.`, data]);
    meta.copiedUp = true;
    await writeJsonAtomic(path.join(this.dir(name), META), meta);
  }

  private dir(name: string): string {
    return path.join(this.root, name);
  }

  private async loadMeta(name: string): Promise<Meta | undefined> {
    if (!NAME_RE.test(name)) return undefined;
    const meta = await readJson<Meta>(path.join(this.dir(name), META)).catch(() => undefined);
    if (meta) return meta;
    // A volume directory without our metadata (e.g. copied from Docker's data root): adopt it.
    const st = await fs.stat(path.join(this.dir(name), '_data')).catch(() => undefined);
    if (!st?.isDirectory()) return undefined;
    return { name, createdAt: st.mtime.toISOString().replace(/\.\d{3}Z$/, 'Z'), labels: {}, options: {}, anonymous: false };
  }

  private toVolume(m: Meta): Volume {
    return {
      name: m.name,
      driver: 'local',
      mountpoint: path.join(this.dir(m.name), '_data'),
      createdAt: m.createdAt,
      labels: { ...m.labels },
      options: { ...m.options },
      scope: 'local',
      anonymous: m.anonymous,
    };
  }
}
