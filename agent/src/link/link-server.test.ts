import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import ssh2, { type ClientChannel } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINK_EXEC } from '../../../protocol/src/link.ts';
import { loadOrCreateHostKey } from './host-key.ts';
import { LinkServer } from './link-server.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-link-'));
const engineSocket = path.join(dir, 'engine.sock');
const authorized = ssh2.utils.generateKeyPairSync('ed25519');
const stranger = ssh2.utils.generateKeyPairSync('ed25519');
let server: LinkServer;
let engine: http.Server;
let port: number;

beforeAll(async () => {
  writeFileSync(path.join(dir, 'authorized_key'), authorized.public);
  engine = http.createServer((req, res) => res.end(req.url === '/_ping' ? 'OK' : 'no'));
  await new Promise<void>((r) => engine.listen(engineSocket, r));
  server = new LinkServer({ hostKey: loadOrCreateHostKey(path.join(dir, 'hk')), authorizedKeyFile: path.join(dir, 'authorized_key'), engineSocket });
  port = await server.listen(0, '127.0.0.1');
});
afterAll(async () => {
  await server.close();
  engine.close();
  rmSync(dir, { recursive: true, force: true });
});

function connect(privateKey: string): Promise<ssh2.Client> {
  return new Promise((resolve, reject) => {
    const c = new ssh2.Client();
    c.on('ready', () => resolve(c));
    c.on('error', reject);
    c.connect({ host: '127.0.0.1', port, username: 'berth', privateKey, readyTimeout: 5000 });
  });
}

function collect(ch: ClientChannel): Promise<{ out: string; code: number | null }> {
  return new Promise((resolve) => {
    let out = '';
    let code: number | null = null;
    ch.on('data', (d: Buffer) => (out += d.toString()));
    ch.stderr.on('data', (d: Buffer) => (out += d.toString()));
    ch.on('exit', (c: number | null) => (code = c));
    // exit-status can arrive in the same tick as the channel itself, before 'exit' is listened to
    ch.on('close', (c?: number | null) => resolve({ out, code: code ?? c ?? null }));
  });
}

describe('guest link service', () => {
  it('keeps one host key across restarts', () => {
    expect(loadOrCreateHostKey(path.join(dir, 'hk'))).toBe(loadOrCreateHostKey(path.join(dir, 'hk')));
  });

  it('refuses a key other than the authorized one, and password auth', async () => {
    await expect(connect(stranger.private)).rejects.toThrow(/authentication methods failed/);
    await expect(new Promise((resolve, reject) => {
      const c = new ssh2.Client();
      c.on('ready', () => resolve(c));
      c.on('error', reject);
      c.connect({ host: '127.0.0.1', port, username: 'berth', password: 'x', readyTimeout: 5000 });
    })).rejects.toThrow(/authentication methods failed/);
  });

  it('forwards a unix socket (the engine) to the authorized key', async () => {
    const c = await connect(authorized.private);
    const ch = await new Promise<ClientChannel>((res, rej) => c.openssh_forwardOutStreamLocal(engineSocket, (e, s) => (e ? rej(e) : res(s))));
    ch.write('GET /_ping HTTP/1.0\r\n\r\n');
    const { out } = await collect(ch);
    expect(out).toMatch(/^HTTP\/1.1 200 OK[\s\S]*\r\n\r\nOK$/);
    const refused = new Promise((res, rej) => c.openssh_forwardOutStreamLocal(path.join(dir, 'nope.sock'), (e, s) => (e ? rej(e) : res(s))));
    await expect(refused).rejects.toThrow();
    c.end();
  });

  it('runs exec with exit codes and answers the status command', async () => {
    const c = await connect(authorized.private);
    const run = (cmd: string) => new Promise<ClientChannel>((res, rej) => c.exec(cmd, (e, s) => (e ? rej(e) : res(s))));
    expect(await collect(await run('echo hi; exit 3'))).toEqual({ out: 'hi\n', code: 3 });
    const status = JSON.parse((await collect(await run(LINK_EXEC.status))).out);
    expect(status).toMatchObject({ engineSocket: true, nodeVersion: process.version });
    c.end();
  });

  it('gives exec a terminal when asked for a pty', async () => {
    const c = await connect(authorized.private);
    const ch = await new Promise<ClientChannel>((res, rej) => c.exec('test -t 0 && test -t 1 && stty size', { pty: { rows: 33, cols: 101, term: 'xterm' } }, (e, s) => (e ? rej(e) : res(s))));
    const { out, code } = await collect(ch);
    expect(code).toBe(0);
    expect(out).toContain('33 101');
    c.end();
  });
});
