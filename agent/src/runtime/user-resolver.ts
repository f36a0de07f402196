// Resolves Docker's `--user user[:group]` against the image's /etc/passwd and /etc/group, with the
// rules of moby/sys/user GetExecUser (names or numbers, supplementary groups from group
// membership) and its error messages.
import { promises as fs } from 'node:fs';
import { invalid } from '../errors.ts';
import { resolveInRootfs } from './rootfs-path.ts';

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  home: string;
}

interface PasswdEntry { name: string; uid: number; gid: number; home: string }
interface GroupEntry { name: string; gid: number; members: string[] }

const MAX_ID = 2 ** 31 - 1;

async function readRootfsFile(rootfs: string, file: string): Promise<string | undefined> {
  const p = await resolveInRootfs(rootfs, file);
  try {
    return await fs.readFile(p, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
    throw e;
  }
}

function rows(text: string): string[][] {
  return text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => l.split(':'));
}

export function parsePasswd(text: string): PasswdEntry[] {
  return rows(text).map((f) => ({ name: f[0], uid: Number(f[2] ?? NaN), gid: Number(f[3] ?? NaN), home: f[5] ?? '' }));
}

export function parseGroup(text: string): GroupEntry[] {
  return rows(text).map((f) => ({ name: f[0], gid: Number(f[2] ?? NaN), members: (f[3] ?? '').split(',').filter(Boolean) }));
}

const numeric = (s: string): number | undefined => (/^\d+$/.test(s) ? Number(s) : undefined);

function checkRange(id: number): number {
  if (id < 0 || id > MAX_ID) throw invalid(`uids and gids must be in range 0-${MAX_ID}`);
  return id;
}

/** `spec` is Docker's User field; `groupAdd` is HostConfig.GroupAdd (names or gids). */
export async function resolveUser(rootfs: string, spec: string, groupAdd: string[] = []): Promise<ResolvedUser> {
  const [passwdText, groupText] = await Promise.all([readRootfsFile(rootfs, '/etc/passwd'), readRootfsFile(rootfs, '/etc/group')]);
  return resolveUserFrom(spec, passwdText, groupText, groupAdd);
}

/** Pure core of resolveUser; undefined text = the file is missing. */
export function resolveUserFrom(spec: string, passwdText: string | undefined, groupText: string | undefined, groupAdd: string[] = []): ResolvedUser {
  const [userArg = '', groupArg = ''] = spec.split(':', 2);
  const user: ResolvedUser = { uid: 0, gid: 0, additionalGids: [], home: '/' };
  const passwd = passwdText === undefined ? [] : parsePasswd(passwdText);
  const groups = groupText === undefined ? [] : parseGroup(groupText);
  const uidArg = numeric(userArg);
  const match = passwd.find((u) => (userArg === '' ? u.uid === user.uid : uidArg !== undefined ? u.uid === uidArg : u.name === userArg));
  if (match) Object.assign(user, { uid: match.uid, gid: match.gid, home: match.home || '/' });
  else if (userArg !== '') {
    if (uidArg === undefined) throw invalid(`unable to find user ${userArg}: no matching entries in passwd file`);
    user.uid = checkRange(uidArg);
  }
  if (groupArg !== '') {
    const gidArg = numeric(groupArg);
    const g = groups.find((x) => (gidArg !== undefined ? x.gid === gidArg : x.name === groupArg));
    if (g) user.gid = g.gid;
    else if (gidArg === undefined) throw invalid(`unable to find group ${groupArg}: no matching entries in group file`);
    else user.gid = checkRange(gidArg);
  } else if (match) {
    user.additionalGids = groups.filter((g) => g.members.includes(match.name)).map((g) => g.gid);
  }
  for (const ga of groupAdd) {
    const gid = numeric(ga);
    const g = groups.find((x) => (gid !== undefined ? x.gid === gid : x.name === ga));
    if (g) user.additionalGids.push(g.gid);
    else if (gid !== undefined) user.additionalGids.push(checkRange(gid));
    else throw invalid(`Unable to find group ${ga}: no matching entries in group file`);
  }
  return user;
}
