// The host's link identity: an ed25519 key pair made on first start, in OpenSSH format (ssh2's
// keygen wraps node:crypto), private key 0600 in the 0700 BERTH_HOME. Two `berth start` at once
// must end up with one key: the private key is created exclusively (the first writer wins) and
// the public key is always derived from it, never read on its own.
import { chmodSync, linkSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import ssh2 from 'ssh2';
import type { BerthPaths } from '../home/berth-paths.ts';

export interface KeyPair {
  /** OpenSSH private key (PEM-like text). */
  privateKey: string;
  /** One `ssh-ed25519 AAAA… comment` line, what the guest's authorized_key holds. */
  publicKey: string;
}

const COMMENT = 'berth-host';

function writeTemp(file: string, text: string, mode: number): string {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  return tmp;
}

/** The OpenSSH public key line of an OpenSSH private key. */
export function publicKeyOf(privateKey: string): string {
  const key = ssh2.utils.parseKey(privateKey);
  if (key instanceof Error) throw new Error(`the link key is unreadable: ${key.message}`);
  const k = Array.isArray(key) ? key[0] : key;
  return `${k.type} ${k.getPublicSSH().toString('base64')} ${COMMENT}`;
}

export function ensureKeyPair(home: BerthPaths): KeyPair {
  home.ensure();
  try {
    // Someone loosened the mode: tighten rather than refuse, like a fresh key would be.
    if ((statSync(home.privateKey).mode & 0o077) !== 0) chmodSync(home.privateKey, 0o600);
  } catch {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment: COMMENT });
    const tmp = writeTemp(home.privateKey, pair.private, 0o600);
    try {
      linkSync(tmp, home.privateKey); // EEXIST: another start made it first; use theirs
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      rmSync(tmp, { force: true });
    }
  }
  const privateKey = readFileSync(home.privateKey, 'utf8');
  const publicKey = publicKeyOf(privateKey);
  // For the user (and ssh-copy-id-style tools); the link itself never reads it.
  renameSync(writeTemp(home.publicKey, `${publicKey}\n`, 0o644), home.publicKey);
  return { privateKey, publicKey };
}
