// The link's SSH host key: generated once (ed25519) and kept, so the host's trust-on-first-use
// record stays valid across reboots when the directory is on the data disk.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ssh2 from 'ssh2';

export function loadOrCreateHostKey(dir: string): string {
  const file = path.join(dir, 'ssh_host_ed25519_key');
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { private: key } = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'berth-link' });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, key, { mode: 0o600 });
  renameSync(tmp, file);
  return key;
}
