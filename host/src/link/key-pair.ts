// The host's link identity: an ed25519 key pair made on first start, in OpenSSH format (ssh2's
// keygen wraps node:crypto), private key 0600 in the 0700 BERTH_HOME.
import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import ssh2 from 'ssh2';
import type { BerthPaths } from '../home/berth-paths.ts';

export interface KeyPair {
  /** OpenSSH private key (PEM-like text). */
  privateKey: string;
  /** One `ssh-ed25519 AAAA… comment` line, what the guest's authorized_key holds. */
  publicKey: string;
}

function writePrivate(file: string, text: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

export function ensureKeyPair(home: BerthPaths): KeyPair {
  home.ensure();
  if (existsSync(home.privateKey) && existsSync(home.publicKey)) {
    // Someone loosened the mode: tighten rather than refuse, like a fresh key would be.
    if ((statSync(home.privateKey).mode & 0o077) !== 0) chmodSync(home.privateKey, 0o600);
    return { privateKey: readFileSync(home.privateKey, 'utf8'), publicKey: readFileSync(home.publicKey, 'utf8').trim() };
  }
  const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'berth-host' });
  writePrivate(home.privateKey, pair.private, 0o600);
  writePrivate(home.publicKey, `${pair.public.trim()}\n`, 0o644);
  return { privateKey: pair.private, publicKey: pair.public.trim() };
}
