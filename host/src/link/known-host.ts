// Trust on first use for the guest's host key: the first key seen is stored in BERTH_HOME; later
// connections must present the same one. `berth reset` removes it with the VM.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

export type HostKeyCheck = { ok: true; firstUse: boolean } | { ok: false; expected: string; got: string };

export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

export function checkHostKey(file: string, key: Buffer): HostKeyCheck {
  const got = fingerprint(key);
  let expected: string;
  try {
    expected = readFileSync(file, 'utf8').trim();
  } catch {
    writeFileSync(file, `${got}\n`, { mode: 0o600 });
    return { ok: true, firstUse: true };
  }
  return expected === got ? { ok: true, firstUse: false } : { ok: false, expected, got };
}
