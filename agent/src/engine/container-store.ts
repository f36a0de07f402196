// Containers in memory, each persisted as <dataRoot>/containers/<id>/container.json (atomic
// writes). A record is written before the engine acknowledges the request that made it, so a
// kill -9 never loses a container the client was told about.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { readJson, writeJsonAtomic } from '../sys/atomic-file.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import type { ContainerRecord } from './types.ts';

const NAME_RE = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const FILE = 'container.json';

export class ContainerStore {
  private readonly byId = new Map<string, ContainerRecord>();

  private constructor(readonly root: string) {}

  static async open(root: string): Promise<ContainerStore> {
    const store = new ContainerStore(root);
    await fs.mkdir(root, { recursive: true, mode: 0o700 });
    for (const id of await fs.readdir(root)) {
      const rec = await readJson<ContainerRecord>(path.join(root, id, FILE)).catch(() => undefined);
      if (rec) store.byId.set(rec.id, rec);
      // A directory without a record is a create that never got acknowledged: drop it.
      else await fs.rm(path.join(root, id), { recursive: true, force: true });
    }
    return store;
  }

  dir(id: string): string {
    return path.join(this.root, id);
  }

  list(): ContainerRecord[] {
    return [...this.byId.values()].sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
  }

  /** By full ID, unique ID prefix, or name (with or without the leading slash). */
  tryGet(ref: string): ContainerRecord | undefined {
    const direct = this.byId.get(ref);
    if (direct) return direct;
    const name = ref.replace(/^\//, '');
    for (const c of this.byId.values()) if (c.name === name) return c;
    if (!/^[0-9a-f]+$/.test(ref)) return undefined;
    const matches = [...this.byId.values()].filter((c) => c.id.startsWith(ref));
    if (matches.length > 1) throw invalid(`multiple IDs found with provided prefix: ${ref}`);
    return matches[0];
  }

  get(ref: string): ContainerRecord {
    const c = this.tryGet(ref);
    if (!c) throw notFound(`No such container: ${ref}`);
    return c;
  }

  checkName(name: string, selfId?: string): string {
    if (!NAME_RE.test(name)) throw invalid(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    const bare = name.replace(/^\//, '');
    for (const c of this.byId.values()) {
      if (c.name === bare && c.id !== selfId) {
        throw conflict(
          `Conflict. The container name "/${bare}" is already in use by container "${c.id}". You have to remove (or rename) that container to be able to reuse that name.`,
        );
      }
    }
    return bare;
  }

  async save(rec: ContainerRecord): Promise<void> {
    await fs.mkdir(this.dir(rec.id), { recursive: true, mode: 0o700 });
    await writeJsonAtomic(path.join(this.dir(rec.id), FILE), rec);
    this.byId.set(rec.id, rec);
  }

  async remove(id: string): Promise<void> {
    this.byId.delete(id);
    // Remove the record first so a crash mid-delete never resurrects a half-deleted container.
    await fs.rm(path.join(this.dir(id), FILE), { force: true });
    await fs.rm(this.dir(id), { recursive: true, force: true });
  }
}
