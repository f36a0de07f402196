// The link end to end without a VM: the guest's link service, bundled as it ships, runs as a
// separate process on 127.0.0.1 in front of a fake engine socket; the host side connects to it.
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BerthPaths } from '../home/berth-paths.ts';
import { EngineClient } from '../ports/engine-client.ts';
import { UdpForward } from '../ports/udp-forward.ts';
import { ensureKeyPair } from './key-pair.ts';
import { HostKeyMismatchError, LinkClient } from './link-client.ts';
import { SocketForwarder } from './socket-forwarder.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-hlink-'));
const home = new BerthPaths(path.join(dir, 'home'));
const engineSocket = path.join(dir, 'engine.sock');
const bundle = path.join(dir, 'link.mjs');
let engine: http.Server;
const guests: ChildProcess[] = [];

async function startGuest(hostKeyDir: string): Promise<number> {
  const child = spawn(process.execPath, [bundle, '--listen', '127.0.0.1:0', '--authorized-key', path.join(dir, 'authorized_key'), '--host-key-dir', hostKeyDir, '--engine-socket', engineSocket], { stdio: ['ignore', 'ignore', 'pipe'] });
  guests.push(child);
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(err);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', () => reject(new Error(`link exited: ${err}`)));
  });
}

let port: number;
beforeAll(async () => {
  // The same options as scripts/build.mjs's link entry, so the test runs what the VM ships.
  await build({
    entryPoints: [path.resolve(import.meta.dirname, '../../../agent/src/link/main.ts')], outfile: bundle, bundle: true, platform: 'node',
    target: 'node18', format: 'esm', external: ['node-pty', 'cpu-features', '*.node'], logLevel: 'error',
    banner: { js: "import { createRequire as __r } from 'node:module'; import { fileURLToPath as __p } from 'node:url'; const require = __r(import.meta.url); const __filename = __p(import.meta.url); const __dirname = __p(new URL('.', import.meta.url));" },
  });
  writeFileSync(path.join(dir, 'authorized_key'), ensureKeyPair(home).publicKey);
  engine = http.createServer((req, res) => res.end(req.url === '/_ping' ? 'OK' : 'unknown'));
  await new Promise<void>((r) => engine.listen(engineSocket, r));
  port = await startGuest(path.join(dir, 'hostkey'));
}, 60_000);

afterAll(() => {
  for (const g of guests) g.kill();
  engine.close();
  rmSync(dir, { recursive: true, force: true });
});

const connect = (privateKey = ensureKeyPair(home).privateKey, p = port) =>
  LinkClient.connect({ port: p, privateKey, knownHostFile: home.knownHost, readyTimeoutMs: 5000 });

describe('agent link, host to guest', () => {
  it('refuses a key the guest was not given', async () => {
    const wrong = ssh2.utils.generateKeyPairSync('ed25519').private;
    await expect(connect(wrong)).rejects.toThrow(/authentication methods failed/);
  });

  it('serves the guest engine at a 0600 docker.sock, replacing a stale one', async () => {
    writeFileSync(home.dockerSocket, 'stale');
    const link = await connect();
    const fwd = new SocketForwarder(home.dockerSocket, () => link.openUnix(engineSocket));
    await fwd.listen();
    expect(statSync(home.dockerSocket).mode & 0o777).toBe(0o600);
    expect(statSync(home.dir).mode & 0o777).toBe(0o700);
    const client = new EngineClient(home.dockerSocket);
    expect(await Promise.all([client.ping(), client.ping(), client.ping()])).toEqual([true, true, true]);
    await fwd.close();
    link.close();
  });

  it('forwards TCP to an address in the guest, and reports the guest status', async () => {
    const echo = net.createServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    const link = await connect();
    const ch = await link.openTcp('127.0.0.1', (echo.address() as net.AddressInfo).port);
    const got = new Promise<string>((r) => ch.once('data', (d: Buffer) => r(d.toString())));
    ch.write('ping through the link');
    expect(await got).toBe('ping through the link');
    ch.end();
    await expect(link.openTcp('127.0.0.1', 1)).rejects.toThrow();
    expect(await link.status()).toMatchObject({ engineSocket: true });
    link.close();
    echo.close();
  });

  it('relays UDP both ways through an exec channel', async () => {
    const guestUdp = dgram.createSocket('udp4');
    guestUdp.on('message', (m, r) => guestUdp.send(Buffer.concat([Buffer.from('echo:'), m]), r.port, r.address));
    await new Promise<void>((r) => guestUdp.bind(0, '127.0.0.1', r));
    const hostPort = await new Promise<number>((r) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => r(p));
      });
    });
    const link = await connect();
    const fwd = await UdpForward.open({ containerId: 'c', proto: 'udp', hostIp: '127.0.0.1', hostPort, guestIp: '127.0.0.1', guestPort: guestUdp.address().port }, link, () => {});
    const client = dgram.createSocket('udp4');
    const reply = new Promise<string>((r) => client.once('message', (m) => r(m.toString())));
    client.send('hello', hostPort, '127.0.0.1');
    expect(await reply).toBe('echo:hello');
    client.close();
    await fwd.close();
    guestUdp.close();
    link.close();
  });

  it('refuses a guest whose host key changed since first use', async () => {
    const other = await startGuest(path.join(dir, 'other-hostkey'));
    await expect(connect(undefined, other)).rejects.toBeInstanceOf(HostKeyMismatchError);
  });
});
