// The link's SSH host key: generated once (ed25519) and kept, so the host's trust-on-first-use
// record stays valid across reboots when the directory is on the data disk.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import ssh2 from 'ssh2';

export function loadOrCreateHostKey(dir: string): string {
  const file = path.join(dir, 'ssh_host_ed25519_key');
  try {
    const key = readFileSync(file, 'utf8');
    // An empty file is what a power cut (kill -9 of the VM) leaves of an unsynced write: make a
    // new key rather than crash-loop; the host then reports the changed key clearly.
    if (key.trim()) return key;
    process.stderr.write(`berth-link: ${file} is empty (unclean shutdown?); generating a new host key\n`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { private: key } = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'berth-link' });
  // Durable before it is used: temp file, fsync, rename, fsync of the directory.
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, key);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  const dfd = openSync(dir, 'r');
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
  return key;
}
