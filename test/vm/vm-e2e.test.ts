// The VM end to end under QEMU TCG: `berth start` with a temporary BERTH_HOME, the engine reached
// through the forwarded BERTH_HOME/docker.sock, a published port answering on the host's
// 127.0.0.1, a shared host folder bind-mounted into a container, exec with a TTY, `kill -9` of
// QEMU and recovery with state intact, `berth stop`. The image is built by image-setup.ts.
import { execFile, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSYBOX, fixture, HTTPD } from '../harness/fixtures.ts';
import { DOCKER, ROOT } from '../harness/engine-process.ts';

const home = mkdtempSync(path.join(os.tmpdir(), 'berth-vm-'));
// The shared folder, and a sibling the guest must not see.
const outside = mkdtempSync(path.join(os.tmpdir(), 'berth-vm-share-'));
const shared = path.join(outside, 'project');
const env = { ...process.env, BERTH_HOME: home, DOCKER_HOST: `unix://${home}/docker.sock` };

interface Run { code: number; stdout: string; stderr: string }
function run(file: string, args: string[], timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}
const berth = (...args: string[]) => run(process.execPath, [path.join(ROOT, 'bin/berth.mjs'), ...args], 360_000);
const docker = (...args: string[]) => run(DOCKER, args);
const qemuPid = () => Number(readFileSync(path.join(home, 'vm/qemu.pid'), 'utf8'));
const START = ['start', '--accel', 'tcg', '--cpus', '2', '--memory', '1024', '--disk', '8', '--share', shared];

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function fetchText(url: string, tries = 20): Promise<string> {
  for (let i = 0; ; i++) {
    try {
      return await (await fetch(url)).text();
    } catch (err) {
      if (i >= tries) throw err;
      await sleep(500);
    }
  }
}

describe('berth VM end to end (TCG)', () => {
  beforeAll(async () => {
    mkdirSync(shared);
    writeFileSync(path.join(shared, 'from-host.txt'), 'written on the host\n');
    writeFileSync(path.join(outside, 'secret.txt'), 'not shared\n');
    // Two starts at once: both succeed, one VM.
    const [a, b] = await Promise.all([berth(...START), berth(...START)]);
    expect(a.stderr + b.stderr).toMatch(/Berth is running/);
    expect([a.code, b.code]).toEqual([0, 0]);
  }, 400_000);

  afterAll(async () => {
    await berth('stop');
    rmSync(home, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }, 120_000);

  it('boots one VM and serves the engine at BERTH_HOME/docker.sock', async () => {
    const ps = await run('ps', ['-eo', 'args']);
    expect(ps.stdout.split('\n').filter((l) => l.includes(`${home}/vm/qmp.sock`))).toHaveLength(1);
    const status = JSON.parse((await berth('status', '--json')).stdout);
    expect(status).toMatchObject({ vm: { state: 'running', accel: 'tcg' }, engine: true });
    expect((await docker('version', '--format', '{{.Server.Os}}')).stdout.trim()).toBe('linux');
  });

  it('loads an image, publishes a port on the host 127.0.0.1 and execs', async () => {
    expect((await docker('load', '-i', fixture('httpd.tar'))).code).toBe(0);
    const port = await freePort();
    const r = await docker('run', '-d', '--name', 'web', '--restart', 'always', '-p', `127.0.0.1:${port}:80`, HTTPD);
    expect(r.stderr).toBe('');
    expect(await fetchText(`http://127.0.0.1:${port}/`)).toMatch(/\S/);
    // It took the NAT path: QEMU's host forward and a DNAT in the guest, no relay process.
    const events = readFileSync(path.join(home, 'logs/hostagent.events.jsonl'), 'utf8');
    expect(events).toMatch(new RegExp(`"hostPort":${port},.*"via":"nat"\\},"state":"open"`));
    const ex = await docker('exec', 'web', 'echo', 'hi from the container');
    expect(ex.stdout.trim()).toBe('hi from the container');
    // A TTY: the process sees a terminal, and the output comes back through the link.
    const tty = await docker('exec', '-t', 'web', 'sh', '-c', 'tty; test -t 1 && echo is-a-tty');
    expect(tty.stdout).toMatch(/\/dev\/pts\/\d+\r?\n/);
    expect(tty.stdout).toContain('is-a-tty');
    const sh = await berth('shell', '--', 'uname', '-s');
    expect(sh.stdout.trim()).toBe('Linux');
  }, 180_000);

  it('bind-mounts a shared host folder: the container reads it and its writes land on the host', async () => {
    expect((await docker('load', '-i', fixture('busybox.tar'))).code).toBe(0);
    const r = await docker('run', '--rm', '-v', `${shared}:/src`, BUSYBOX, 'sh', '-c', 'cat /src/from-host.txt && echo made in the container > /src/from-container.txt');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('written on the host\n');
    const file = path.join(shared, 'from-container.txt');
    expect(readFileSync(file, 'utf8')).toBe('made in the container\n');
    // Root in the container writes as this (root) host user: owned by us, not by an id we lack.
    expect(statSync(file).uid).toBe(process.getuid!());
    // The engine's socket is where tools expect it, also for a bind mount into a container.
    const sock = await docker('run', '--rm', '-v', '/var/run/docker.sock:/var/run/docker.sock', BUSYBOX, 'test', '-S', '/var/run/docker.sock');
    expect(sock.code, sock.stderr).toBe(0);
    // Only the shared folder reached the guest: its host sibling does not exist there.
    const peek = await berth('shell', '--', 'sh', '-c', `cat ${shared}/from-host.txt; ls ${outside}`);
    expect(peek.stdout).toContain('written on the host');
    expect(peek.stdout).not.toContain('secret.txt');
  }, 180_000);

  it('publishes UDP too: datagrams reach the container and its replies come back', async () => {
    const port = await freePort();
    expect((await docker('run', '-d', '--name', 'udp', '-p', `127.0.0.1:${port}:9999/udp`, BUSYBOX, 'sleep', '600')).code).toBe(0);
    const pid = (await docker('inspect', '-f', '{{.State.Pid}}', 'udp')).stdout.trim();
    // busybox has no UDP server: the guest's node echoes in the container's network namespace.
    const script = "const s=require('dgram').createSocket('udp4');s.on('message',(m,r)=>s.send('echo:'+m,r.port,r.address,()=>process.exit(0)));s.bind(9999,()=>console.log('bound'));setTimeout(()=>process.exit(1),60000)";
    const echo = spawn(process.execPath, [path.join(ROOT, 'bin/berth.mjs'), 'shell', '--', 'nsenter', '-t', pid, '-n', 'node', '-e', script], { env });
    try {
      await new Promise<void>((resolve, reject) => {
        echo.stdout.on('data', (d: Buffer) => d.toString().includes('bound') && resolve());
        echo.on('exit', () => reject(new Error('the echo server ended before binding')));
      });
      const sock = dgram.createSocket('udp4');
      // The host forward opens on the start event: resend until it is there.
      const timer = setInterval(() => sock.send('ping', port, '127.0.0.1'), 500);
      const reply = await new Promise<string>((resolve, reject) => {
        sock.on('message', (m) => resolve(m.toString()));
        sock.send('ping', port, '127.0.0.1');
        setTimeout(() => reject(new Error('no UDP reply in 20 s')), 20_000).unref();
      }).finally(() => {
        clearInterval(timer);
        sock.close();
      });
      expect(reply).toBe('echo:ping');
    } finally {
      echo.kill();
      await docker('rm', '-f', 'udp');
    }
  }, 120_000);

  it('recovers from kill -9 of QEMU with its state intact', async () => {
    expect((await docker('run', '--rm', '-v', 'keep:/d', BUSYBOX, 'sh', '-c', 'echo kept > /d/f && sync')).code).toBe(0);
    process.kill(qemuPid(), 'SIGKILL');
    await sleep(1000);
    expect((await berth('status')).code).toBe(3);
    const again = await berth(...START);
    expect(again.code, again.stderr + again.stdout).toBe(0);
    expect((await docker('images', '--format', '{{.Repository}}:{{.Tag}}')).stdout).toContain(HTTPD);
    expect((await docker('ps', '-a', '--format', '{{.Names}}')).stdout).toContain('web');
    // --restart always came back up, and its published port is forwarded again.
    expect((await docker('inspect', '-f', '{{.State.Running}}', 'web')).stdout.trim()).toBe('true');
    const port = (await docker('port', 'web', '80')).stdout.trim().split(':').pop();
    expect(await fetchText(`http://127.0.0.1:${port}/`)).toMatch(/\S/);
    expect((await docker('run', '--rm', '-v', 'keep:/d', BUSYBOX, 'cat', '/d/f')).stdout).toBe('kept\n');
  }, 400_000);

  it('stops', async () => {
    expect((await berth('stop')).code).toBe(0);
    expect((await berth('status')).code).toBe(3);
    expect(existsSync(path.join(home, 'docker.sock'))).toBe(false);
  }, 120_000);
});
