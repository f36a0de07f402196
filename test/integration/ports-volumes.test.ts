// Published ports (-p, -P, taken ports), volumes (named, anonymous from VOLUME, binds, tmpfs)
// and restart policies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEngine, type EngineHandle } from '../harness/engine-process.ts';
import { loadFixtures, BUSYBOX, HTTPD, VOLUME } from '../harness/fixtures.ts';

let e: EngineHandle;
beforeAll(async () => {
  e = await startEngine('ports');
  await loadFixtures(e, ['busybox.tar', 'httpd.tar', 'volume.tar']);
});
afterAll(async () => e?.stop());

async function httpGet(port: number, host = '127.0.0.1'): Promise<string> {
  for (let i = 0; i < 50; i++) {
    try {
      const res = await fetch(`http://${host}:${port}/`);
      return await res.text();
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`no answer on ${host}:${port}`);
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });

describe('published ports', () => {
  it('answers on 127.0.0.1, is seen by the container, and is freed on stop', async () => {
    const port = await freePort();
    expect((await e.docker(['run', '-d', '--name', 'web', '-p', `${port}:80`, HTTPD])).code).toBe(0);
    expect(await httpGet(port)).toBe('hello from berth\n');
    const logs = await e.docker(['logs', 'web']);
    expect(logs.stdout + logs.stderr).toMatch(/GET \/|response:200|172\.31\./);
    expect((await e.docker(['port', 'web'])).stdout.trim()).toBe(`80/tcp -> 0.0.0.0:${port}`);
    const taken = await e.docker(['run', '-d', '--name', 'web2', '-p', `${port}:80`, HTTPD]);
    expect(taken.code).not.toBe(0);
    expect(taken.stderr).toContain('port is already allocated');
    await e.docker(['stop', '-t', '1', 'web']);
    await new Promise<void>((resolve, reject) => {
      const s = net.createServer().once('error', reject).listen(port, '0.0.0.0', () => s.close(() => resolve()));
    });
  });

  it('binds ip:hostPort:containerPort and udp', async () => {
    const port = await freePort();
    await e.docker(['run', '-d', '--name', 'webip', '-p', `127.0.0.1:${port}:80`, '-p', `${port}:9999/udp`, HTTPD]);
    expect(await httpGet(port)).toBe('hello from berth\n');
    const ports = (await e.docker(['port', 'webip'])).stdout;
    expect(ports).toContain(`80/tcp -> 127.0.0.1:${port}`);
    expect(ports).toContain(`9999/udp -> 0.0.0.0:${port}`);
  });

  it('-P publishes every EXPOSEd port on a free host port', async () => {
    await e.docker(['run', '-d', '--name', 'webp', '-P', HTTPD]);
    const out = (await e.docker(['port', 'webp', '80/tcp'])).stdout.trim();
    const port = Number(out.split(':').pop());
    expect(port).toBeGreaterThan(0);
    expect(await httpGet(port)).toBe('hello from berth\n');
  });
});

describe('volumes and mounts', () => {
  it('create, ls, inspect, rm, prune; named volumes outlive containers', async () => {
    expect((await e.docker(['volume', 'create', 'keep'])).stdout.trim()).toBe('keep');
    await e.docker(['run', '--rm', '-v', 'keep:/v', BUSYBOX, 'sh', '-c', 'echo persisted > /v/f']);
    expect((await e.docker(['run', '--rm', '-v', 'keep:/v', BUSYBOX, 'cat', '/v/f'])).stdout).toBe('persisted\n');
    expect((await e.docker(['volume', 'ls', '-q'])).stdout).toContain('keep');
    expect((await e.docker(['volume', 'inspect', '-f', '{{.Driver}} {{.Name}}', 'keep'])).stdout.trim()).toBe('local keep');
    await e.docker(['run', '-d', '--name', 'holder', '-v', 'keep:/v', BUSYBOX, 'sleep', '300']);
    const inUse = await e.docker(['volume', 'rm', 'keep']);
    expect(inUse.code).not.toBe(0);
    expect(inUse.stderr).toContain('volume is in use');
    await e.docker(['rm', '-f', 'holder']);
    expect((await e.docker(['volume', 'rm', 'keep'])).code).toBe(0);
    await e.docker(['volume', 'create', 'unused']);
    expect((await e.docker(['volume', 'prune', '-a', '-f'])).stdout).toContain('unused');
  });

  it("an image's VOLUME gets an anonymous volume filled from the image; rm -v removes it", async () => {
    await e.docker(['run', '--name', 'anon', VOLUME, 'cat', '/data/seed.txt']);
    expect((await e.docker(['logs', 'anon'])).stdout).toBe('seeded\n');
    const vol = (await e.docker(['inspect', '-f', '{{range .Mounts}}{{.Name}}{{end}}', 'anon'])).stdout.trim();
    expect(vol).toMatch(/^[0-9a-f]{64}$/);
    expect((await e.docker(['volume', 'ls', '-q'])).stdout).toContain(vol);
    await e.docker(['rm', '-v', 'anon']);
    expect((await e.docker(['volume', 'ls', '-q'])).stdout).not.toContain(vol);
  });

  it('bind mounts read-write and read-only, --mount and --tmpfs', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bind-'));
    await e.docker(['run', '--rm', '-v', `${dir}:/host`, BUSYBOX, 'sh', '-c', 'echo from-container > /host/out']);
    expect(await fs.readFile(path.join(dir, 'out'), 'utf8')).toBe('from-container\n');
    const ro = await e.docker(['run', '--rm', '-v', `${dir}:/host:ro`, BUSYBOX, 'touch', '/host/x']);
    expect(ro.code).not.toBe(0);
    const m = await e.docker(['run', '--rm', '--mount', `type=bind,source=${dir},target=/m`, '--mount', 'type=tmpfs,target=/t', '--mount', 'type=volume,source=mvol,target=/mv', BUSYBOX, 'sh', '-c', 'cat /m/out; grep -c " /t tmpfs" /proc/mounts; ls -d /mv']);
    expect(m.stdout).toBe('from-container\n1\n/mv\n');
    const t = await e.docker(['run', '--rm', '--tmpfs', '/scratch:size=1m', BUSYBOX, 'sh', '-c', 'grep " /scratch " /proc/mounts']);
    expect(t.stdout).toMatch(/tmpfs .*size=1024k/);
    await fs.rm(dir, { recursive: true });
  });
});

describe('restart policies', () => {
  it('on-failure:N retries N times; always restarts; --restart no does not', async () => {
    await e.docker(['run', '-d', '--name', 'flaky', '--restart', 'on-failure:2', BUSYBOX, 'sh', '-c', 'exit 1']);
    await sleep(3000);
    expect((await e.docker(['inspect', '-f', '{{.RestartCount}} {{.State.Status}}', 'flaky'])).stdout.trim()).toBe('2 exited');
    await e.docker(['run', '-d', '--name', 'phoenix', '--restart', 'always', BUSYBOX, 'sh', '-c', 'sleep 0.3; exit 0']);
    await sleep(2500);
    const n = Number((await e.docker(['inspect', '-f', '{{.RestartCount}}', 'phoenix'])).stdout.trim());
    expect(n).toBeGreaterThanOrEqual(1);
    await e.docker(['stop', '-t', '1', 'phoenix']);
    await sleep(500);
    expect(await e.docker(['inspect', '-f', '{{.State.Status}}', 'phoenix']).then((r) => r.stdout.trim())).toBe('exited');
  });

  it('--stop-signal and --stop-timeout', async () => {
    await e.docker(['run', '-d', '--name', 'sig', '--stop-signal', 'USR1', '--stop-timeout', '5', BUSYBOX, 'sh', '-c', 'trap "exit 9" USR1; while :; do sleep 0.1; done']);
    await sleep(300);
    const t0 = Date.now();
    await e.docker(['stop', 'sig']);
    expect(Date.now() - t0).toBeLessThan(4000);
    expect((await e.docker(['inspect', '-f', '{{.State.ExitCode}}', 'sig'])).stdout.trim()).toBe('9');
  });
});
