// Per-interface counters of a container for `docker stats` (Networks section), read from the
// container's init process view of /proc/<pid>/net/dev, which reflects its network namespace.
import { readProc } from '../sys/procfs.ts';

export interface InterfaceStats {
  rxBytes: number;
  rxPackets: number;
  rxErrors: number;
  rxDropped: number;
  txBytes: number;
  txPackets: number;
  txErrors: number;
  txDropped: number;
}

export async function readNetDev(pid: number): Promise<Record<string, InterfaceStats>> {
  return parseNetDev(await readProc(`${pid}/net/dev`));
}

/**
 * /proc/net/dev: two header lines, then `iface: rx bytes packets errs drop fifo frame compressed
 * multicast | tx bytes packets errs drop fifo colls carrier compressed`.
 */
export function parseNetDev(text: string): Record<string, InterfaceStats> {
  const out: Record<string, InterfaceStats> = {};
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (name === 'lo' || name === '') continue;
    const f = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (f.length < 16 || f.some((n) => Number.isNaN(n))) continue;
    out[name] = {
      rxBytes: f[0],
      rxPackets: f[1],
      rxErrors: f[2],
      rxDropped: f[3],
      txBytes: f[8],
      txPackets: f[9],
      txErrors: f[10],
      txDropped: f[11],
    };
  }
  return out;
}
