// Device nodes and FIFOs (overlay whiteouts are 0/0 character devices). Node has no mknod(2), so
// this runs mknod(1); a batch goes through one shell so a layer with many whiteouts costs one spawn.
import { exec } from './exec.ts';

export interface DeviceNode {
  path: string;
  kind: 'char' | 'block' | 'fifo';
  major: number;
  minor: number;
}

const script =
  'while [ $# -gt 0 ]; do ' +
  'if [ "$2" = p ]; then mknod -- "$1" p || exit 1; else mknod -- "$1" "$2" "$3" "$4" || exit 1; fi; ' +
  'shift 4; done';

// Keep each batch's argv well under ARG_MAX.
const maxBatchBytes = 64 * 1024;

export async function makeNodes(nodes: DeviceNode[]): Promise<void> {
  let args: string[] = [];
  let bytes = 0;
  for (const n of nodes) {
    const type = n.kind === 'char' ? 'c' : n.kind === 'block' ? 'b' : 'p';
    args.push(n.path, type, String(n.major), String(n.minor));
    bytes += n.path.length + 16;
    if (bytes > maxBatchBytes) {
      await exec('/bin/sh', ['-c', script, 'mknod-batch', ...args]);
      args = [];
      bytes = 0;
    }
  }
  if (args.length) await exec('/bin/sh', ['-c', script, 'mknod-batch', ...args]);
}
