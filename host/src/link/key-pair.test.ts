import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, describe, expect, it } from 'vitest';
import { BerthPaths } from '../home/berth-paths.ts';
import { ensureKeyPair, publicKeyOf } from './key-pair.ts';
import { checkHostKey } from './known-host.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'berth-keys-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('link key pair', () => {
  it('is made once, ed25519 in OpenSSH format, private 0600 in a 0700 home', () => {
    const home = new BerthPaths(path.join(root, 'home'));
    const pair = ensureKeyPair(home);
    expect(statSync(home.dir).mode & 0o777).toBe(0o700);
    expect(statSync(home.privateKey).mode & 0o777).toBe(0o600);
    expect(pair.privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
    expect(pair.publicKey).toMatch(/^ssh-ed25519 AAAA\S+ berth-host$/);
    const parsed = ssh2.utils.parseKey(pair.privateKey);
    expect(parsed).not.toBeInstanceOf(Error);
    expect(ensureKeyPair(home)).toEqual(pair);
  });

  it('keeps a private key another start made first, and derives the public key from it', () => {
    const home = new BerthPaths(path.join(root, 'raced'));
    mkdirSync(home.dir, { recursive: true });
    const theirs = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'berth-host' });
    writeFileSync(home.privateKey, theirs.private, { mode: 0o600 });
    // A public key file that does not match (a start interrupted between two writes).
    writeFileSync(home.publicKey, 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBADBADBADBADBADBADBADBADBADBADBADBADBADBADBAD berth-host\n');
    const pair = ensureKeyPair(home);
    expect(pair.privateKey).toBe(theirs.private);
    expect(pair.publicKey).toBe(publicKeyOf(theirs.private));
    expect(pair.publicKey.split(' ').slice(0, 2)).toEqual(theirs.public.trim().split(' ').slice(0, 2));
    expect(readFileSync(home.publicKey, 'utf8')).toBe(`${pair.publicKey}\n`);
  });

  it('tightens a loosened home and private key', () => {
    const home = new BerthPaths(path.join(root, 'loose'));
    ensureKeyPair(home);
    chmodSync(home.dir, 0o755);
    chmodSync(home.privateKey, 0o644);
    ensureKeyPair(home);
    expect(statSync(home.dir).mode & 0o777).toBe(0o700);
    expect(statSync(home.privateKey).mode & 0o777).toBe(0o600);
  });

  it('trusts the first guest host key and refuses a different one later', () => {
    const file = path.join(root, 'known');
    expect(checkHostKey(file, Buffer.from('key-a'))).toEqual({ ok: true, firstUse: true });
    expect(checkHostKey(file, Buffer.from('key-a'))).toEqual({ ok: true, firstUse: false });
    expect(checkHostKey(file, Buffer.from('key-b'))).toMatchObject({ ok: false });
  });
});
