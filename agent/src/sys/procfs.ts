// Reads and writes under /proc: sysctls (net.ipv4.ip_forward) and per-process files
// (/proc/<pid>/net/dev). Kept in sys/ because it is kernel-facing state.
import { promises as fs } from 'node:fs';

/** Text of /proc/<rel>, e.g. readProc('1234/net/dev'). */
export async function readProc(rel: string): Promise<string> {
  return fs.readFile(`/proc/${rel}`, 'utf8');
}

/** Sets a sysctl like 'net.ipv4.ip_forward' unless it already has the value. */
export async function writeSysctl(key: string, value: string): Promise<void> {
  const file = `/proc/sys/${key.replace(/\./g, '/')}`;
  const cur = (await fs.readFile(file, 'utf8')).trim();
  if (cur !== value) await fs.writeFile(file, value);
}
