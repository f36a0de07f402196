// Mounting goes through util-linux mount(8)/umount(8): Node has no mount(2) binding and this keeps
// the only kernel-facing calls in sys/.
import { promises as fs } from 'node:fs';
import { exec } from './exec.ts';

export interface Mount {
  type: string;
  source: string;
  target?: string;
  options: string[];
}

export async function mount(m: Mount, target: string): Promise<void> {
  await fs.mkdir(target, { recursive: true });
  const args = ['-t', m.type];
  if (m.options.length) args.push('-o', m.options.join(','));
  await exec('mount', [...args, m.source, target]);
}

export async function unmount(target: string, opts: { lazy?: boolean } = {}): Promise<void> {
  if (!(await isMountPoint(target))) return;
  await exec('umount', opts.lazy ? ['-l', target] : [target]);
}

/** Mount points from /proc/self/mountinfo (field 5), with octal escapes decoded. */
export async function listMountPoints(): Promise<string[]> {
  const text = await fs.readFile('/proc/self/mountinfo', 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ')[4].replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
}

export async function isMountPoint(target: string): Promise<boolean> {
  return (await listMountPoints()).includes(target);
}
