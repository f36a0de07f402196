// Public-key authentication for the link: exactly one key (the host's) is accepted, read from the
// authorized-key file at each attempt. Per ssh2's docs: match the algorithm and key bytes, and
// when the client sends a signature, verify it over the session blob.
import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import ssh2, { type AuthContext, type ParsedKey } from 'ssh2';

export function readAuthorizedKey(file: string): ParsedKey | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
  const parsed = ssh2.utils.parseKey(text);
  return parsed instanceof Error ? undefined : Array.isArray(parsed) ? parsed[0] : parsed;
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Accepts or rejects one authentication attempt; only `publickey` with the authorized key passes. */
export function authenticate(ctx: AuthContext, authorizedKeyFile: string): void {
  if (ctx.method !== 'publickey') return ctx.reject(['publickey']);
  const allowed = readAuthorizedKey(authorizedKeyFile);
  if (!allowed || ctx.key.algo !== allowed.type || !sameBytes(ctx.key.data, allowed.getPublicSSH())) {
    return ctx.reject(['publickey']);
  }
  // No signature yet: the client is asking whether this key would do; saying yes is safe.
  if (ctx.signature && (!ctx.blob || allowed.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true)) {
    return ctx.reject(['publickey']);
  }
  ctx.accept();
}
