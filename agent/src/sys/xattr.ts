// Extended attributes. Node has no setxattr(2) binding, so this drives setfattr(1) (Debian `attr`
// package) once per batch through its --restore format instead of once per attribute.
import { exec } from './exec.ts';

export interface Xattr {
  path: string;
  name: string;
  value: Buffer;
}

/** getfattr's quoting: bytes <= space, >= DEL, backslash (and `=` in names) as \ooo octal. */
function quote(s: string, extra = ''): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(b);
    if (b <= 0x20 || b >= 0x7f || ch === '\\' || extra.includes(ch)) out += '\\' + b.toString(8).padStart(3, '0');
    else out += ch;
  }
  return out;
}

/**
 * Sets attributes on the paths themselves (never following a final symlink: `-h`). Callers must
 * have checked the paths' parent directories; setfattr follows symlinks in parent components.
 */
export async function setXattrs(items: Xattr[]): Promise<void> {
  if (items.length === 0) return;
  const byPath = new Map<string, Xattr[]>();
  for (const x of items) byPath.set(x.path, [...(byPath.get(x.path) ?? []), x]);
  let dump = '';
  for (const [p, xs] of byPath) {
    dump += `# file: ${quote(p)}\n`;
    for (const x of xs) dump += `${quote(x.name, '=')}=0x${x.value.toString('hex')}\n`;
    dump += '\n';
  }
  await exec('setfattr', ['-h', '--restore=-'], { input: dump });
}
