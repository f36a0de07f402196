// `docker rmi` decision logic, after moby's daemon/images/image_delete.go: which references go,
// whether the image itself goes, and the exact conflict messages. Pure: it reads the ImageDb
// and returns a plan; ImageStore carries it out.
import { conflict } from '../errors.ts';
import type { ImageDb } from './image-db.ts';
import { familiarName, parseReference } from './reference.ts';

export type UsedBy = (imageId: string) => Array<{ id: string; running: boolean }>;

export interface RemovePlan {
  /** References to delete, in order (each reported as `untagged`). */
  untag: string[];
  /** Whether the image itself is deleted afterwards. */
  deleteImage: boolean;
}

const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

/** Docker's isImageIDPrefix: the user named the image by (a prefix of) its ID. */
export function isIdPrefix(id: string, ref: string): boolean {
  return id.startsWith(`sha256:${ref}`) || id.startsWith(ref);
}

/** All references live in one repository (moby's isSingleReference, ignoring digest refs' extra repos). */
function isSingleReference(refs: string[]): boolean {
  if (refs.length <= 1) return refs.length === 1;
  const tags = refs.filter((r) => !r.includes('@'));
  if (tags.length > 1) return false;
  const repos = new Set(refs.map((r) => familiarName(parseReference(r))));
  return repos.size === 1;
}

interface ConflictCheck {
  hard: boolean; // running containers
  soft: boolean; // stopped containers
  activeReference: boolean;
}

function checkConflict(db: ImageDb, id: string, usedBy: UsedBy, c: ConflictCheck): { error: Error; used: boolean } | undefined {
  const users = usedBy(id);
  const running = users.find((u) => u.running);
  const fail = (mustForce: boolean, message: string, used: boolean) => ({
    error: conflict(`conflict: unable to delete ${short(id)} (${mustForce ? 'must be forced' : 'cannot be forced'}) - ${message}`),
    used,
  });
  if (c.hard && running) return fail(false, `image is being used by running container ${short(running.id)}`, true);
  if (c.activeReference && db.refsOf(id).length > 0) return fail(true, 'image is referenced in multiple repositories', false);
  const stopped = users.find((u) => !u.running);
  if (c.soft && stopped) return fail(true, `image is being used by stopped container ${short(stopped.id)}`, true);
  return undefined;
}

/**
 * Plans `docker rmi <input>` of image `id`; `refKey` is the familiar reference when the user
 * named the image (undefined when they gave an ID). Throws Conflict with Docker's message.
 */
export function planRemove(db: ImageDb, id: string, input: string, refKey: string | undefined, force: boolean, usedBy: UsedBy): RemovePlan {
  let refs = db.refsOf(id);
  const untag: string[] = [];
  let quiet = false;
  if (refKey !== undefined && !isIdPrefix(id, input)) {
    if (!force && isSingleReference(refs)) {
      const user = usedBy(id)[0];
      if (user) {
        throw conflict(`conflict: unable to remove repository reference "${input}" (must force) - container ${short(user.id)} is using its referenced image ${short(id)}`);
      }
    }
    untag.push(refKey);
    refs = refs.filter((r) => r !== refKey);
    // A removed tag takes the same repository's digest references with it when it was the last tag.
    const repo = familiarName(parseReference(refKey));
    if (!refKey.includes('@') && !refs.some((r) => !r.includes('@') && familiarName(parseReference(r)) === repo)) {
      const digests = refs.filter((r) => r.includes('@') && familiarName(parseReference(r)) === repo);
      untag.push(...digests);
      refs = refs.filter((r) => !digests.includes(r));
    }
    if (refs.length > 0) return { untag, deleteImage: false };
    quiet = true;
  } else if (isSingleReference(refs)) {
    const c = checkConflict(db, id, usedBy, { hard: true, soft: !force, activeReference: false });
    if (c) throw c.error;
    untag.push(...refs);
    refs = [];
  } else if (refs.length > 1 && !force) {
    throw conflict(`conflict: unable to delete ${short(id)} (must be forced) - image is referenced in multiple repositories`);
  }
  const c = checkConflict(db, id, usedBy, { hard: true, soft: !force, activeReference: !force && refs.length > 0 });
  if (c) {
    // Untagging already happened by name: keep the image (dangling) unless nothing uses it.
    if (quiet && c.used) return { untag, deleteImage: false };
    throw c.error;
  }
  return { untag: [...untag, ...refs], deleteImage: true };
}
