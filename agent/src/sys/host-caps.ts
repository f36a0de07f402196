// The engine's own capability bounding set. A container can never hold more than this: under a
// restricted parent (a sandbox, a rootless-ish VM) "all capabilities" must mean "all we have".
import { promises as fs } from 'node:fs';

export async function hostCapabilityMask(): Promise<bigint> {
  const status = await fs.readFile('/proc/self/status', 'utf8');
  const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status);
  return m ? BigInt(`0x${m[1]}`) : (1n << 41n) - 1n;
}
