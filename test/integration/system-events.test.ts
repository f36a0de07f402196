// /_ping, version, info, streaming stats, the event catalogue, OCI layouts from skopeo/umoci,
// and `docker save` output loaded by a real dockerd.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { run, startEngine, type EngineHandle } from '../harness/engine-process.ts';
import { startDockerd } from '../harness/dockerd.ts';
import { loadFixtures, fixture, BUSYBOX, LAYERS } from '../harness/fixtures.ts';

let e: EngineHandle;
let tmp: string;
beforeAll(async () => {
  e = await startEngine('system');
  await loadFixtures(e, ['busybox.tar', 'layers.tar']);
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'sys-'));
});
afterAll(async () => {
  await e?.stop();
  await fs.rm(tmp, { recursive: true, force: true });
});

function raw(method: string, p: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .request({ socketPath: e.socket, method, path: p }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
      .on('error', reject)
      .end();
  });
}

describe('system', () => {
  it('answers /_ping (GET and HEAD) with API-Version, and owns its socket', async () => {
    const get = await raw('GET', '/_ping');
    expect(get.status).toBe(200);
    expect(get.body).toBe('OK');
    expect(get.headers['api-version']).toBe('1.50');
    const head = await raw('HEAD', '/v1.41/_ping');
    expect(head.status).toBe(200);
    expect(head.headers['api-version']).toBe('1.50');
    expect((await fs.stat(e.socket)).mode & 0o777).toBe(0o600);
    expect((await raw('GET', '/v1.12/version')).status).toBe(400);
  });

  it('survives an attach client that vanishes mid-stream', async () => {
    await e.docker(['run', '-d', '--name', 'chatty', BUSYBOX, 'sh', '-c', 'while :; do echo spam; done']);
    for (let i = 0; i < 3; i++) {
      await new Promise<void>((resolve) => {
        const sock = net.connect(e.socket, () => {
          sock.write('POST /containers/chatty/attach?stream=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
        });
        sock.once('data', () => setTimeout(() => {
          sock.destroy();
          resolve();
        }, 50));
        sock.on('error', () => resolve());
      });
    }
    await sleep(500);
    expect(e.proc.exitCode).toBeNull();
    expect((await raw('GET', '/_ping')).body).toBe('OK');
    await e.docker(['rm', '-f', 'chatty']);
  });

  it('docker version and info describe the engine', async () => {
    const v = await e.docker(['version', '--format', '{{.Server.APIVersion}} {{.Client.APIVersion}}']);
    expect(v.stdout.trim()).toBe('1.50 1.50');
    const info = JSON.parse((await e.docker(['info', '--format', '{{json .}}'])).stdout);
    expect(info.DefaultRuntime).toBe('runc');
    expect(info.CgroupVersion).toBe('1');
    expect(info.CgroupDriver).toBe('cgroupfs');
    expect(info.Driver).toBe('overlay2');
    expect(info.DockerRootDir).toBe(e.dataRoot);
    expect(info.NCPU).toBe(os.cpus().length);
    expect(info.MemTotal).toBe(os.totalmem());
    expect(info.Images).toBe(2);
  });

  it('streams stats', async () => {
    await e.docker(['run', '-d', '--name', 'streamer', BUSYBOX, 'sh', '-c', 'while :; do :; done']);
    const lines: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const req = http.request({ socketPath: e.socket, path: '/containers/streamer/stats?stream=1' }, (res) => {
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          lines.push(...c.split('\n').filter(Boolean));
          if (lines.length >= 3) {
            req.destroy();
            resolve();
          }
        });
      });
      req.on('error', (err) => (lines.length >= 3 ? resolve() : reject(err)));
      req.end();
    });
    const [a, , c] = lines.map((l) => JSON.parse(l));
    expect(c.cpu_stats.cpu_usage.total_usage).toBeGreaterThan(a.cpu_stats.cpu_usage.total_usage);
    expect(c.precpu_stats.cpu_usage.total_usage).toBeGreaterThan(0);
    expect(c.memory_stats.usage).toBeGreaterThan(0);
    expect(c.pids_stats.current).toBeGreaterThanOrEqual(1);
    expect(Object.keys(c.networks)).toEqual(['eth0']);
    await e.docker(['rm', '-f', 'streamer']);
  });

  it('emits the event catalogue', async () => {
    const since = String(Date.now() / 1000);
    await e.docker(['volume', 'create', 'evvol']);
    await e.docker(['run', '-d', '--name', 'ev', '-v', 'evvol:/v', BUSYBOX, 'sleep', '300']);
    await e.docker(['pause', 'ev']);
    await e.docker(['unpause', 'ev']);
    await e.docker(['exec', 'ev', 'true']);
    await e.docker(['kill', 'ev']);
    await e.docker(['rm', 'ev']);
    await e.docker(['volume', 'rm', 'evvol']);
    await e.docker(['tag', BUSYBOX, 'evtag:1']);
    await e.docker(['rmi', 'evtag:1']);
    await sleep(100);
    const until = String(Date.now() / 1000 + 1);
    const r = await e.docker(['events', '--since', since, '--until', until, '--format', '{{.Type}} {{.Action}}']);
    const seen = new Set(r.stdout.trim().split('\n').map((l) => l.replace(/:.*/, '')));
    for (const want of [
      'volume create', 'container create', 'network connect', 'volume mount', 'container start', 'container pause',
      'container unpause', 'container exec_create', 'container exec_start', 'container exec_die', 'container kill',
      'container die', 'network disconnect', 'container destroy', 'volume destroy', 'image tag', 'image untag',
    ]) {
      expect(seen, want).toContain(want);
    }
    const filtered = await e.docker(['events', '--since', since, '--until', until, '--filter', 'type=volume', '--format', '{{.Type}}']);
    expect(new Set(filtered.stdout.trim().split('\n'))).toEqual(new Set(['volume']));
  });
});

describe('archives across tools', () => {
  it('loads OCI layouts written by skopeo and umoci', async () => {
    const skopeoTar = path.join(tmp, 'skopeo-oci.tar');
    const s = await run('skopeo', ['copy', `docker-archive:${fixture('busybox.tar')}`, `oci-archive:${skopeoTar}:skopeo/box:1`], {});
    expect(s.stderr).not.toMatch(/FATA|error/i);
    expect((await e.docker(['load', '-i', skopeoTar])).stdout).toContain('Loaded image');
    expect((await e.docker(['run', '--rm', 'skopeo/box:1', 'echo', 'from skopeo'])).stdout).toBe('from skopeo\n');

    const layout = path.join(tmp, 'umoci');
    await run('skopeo', ['copy', `docker-archive:${fixture('busybox.tar')}`, `oci:${layout}:base`], {});
    const bundle = path.join(tmp, 'bundle');
    expect((await run('umoci', ['unpack', '--image', `${layout}:base`, bundle], {})).code).toBe(0);
    await fs.writeFile(path.join(bundle, 'rootfs', 'umoci.txt'), 'umoci layer\n');
    expect((await run('umoci', ['repack', '--image', `${layout}:umoci-tag`, bundle], {})).code).toBe(0);
    const umociTar = path.join(tmp, 'umoci.tar');
    expect((await run('tar', ['-C', layout, '-cf', umociTar, '.'], {})).code).toBe(0);
    const loaded = await e.docker(['load', '-i', umociTar]);
    expect(loaded.code).toBe(0);
    // Both manifests of the layout load; their ref names are bare tags, so they load by ID.
    const ids = [...loaded.stdout.matchAll(/Loaded image ID: (sha256:[0-9a-f]{64})/g)].map((m) => m[1]);
    expect(ids).toHaveLength(2);
    const outs = await Promise.all(ids.map(async (id) => (await e.docker(['run', '--rm', id, 'cat', '/umoci.txt'])).stdout));
    expect(outs.sort()).toEqual(['', 'umoci layer\n']);
  });

  it('docker save output loads into a real dockerd, with the same image ID', async () => {
    const saved = path.join(tmp, 'saved.tar');
    expect((await e.docker(['save', '-o', saved, LAYERS, BUSYBOX])).code).toBe(0);
    const id = (await e.docker(['image', 'inspect', '-f', '{{.Id}}', LAYERS])).stdout.trim();
    const d = await startDockerd();
    try {
      const r = await d.docker(['load', '-i', saved]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain(`Loaded image: ${LAYERS}`);
      expect((await d.docker(['image', 'inspect', '-f', '{{.Id}}', LAYERS])).stdout.trim()).toBe(id);
      const back = path.join(tmp, 'from-dockerd.tar');
      expect((await d.docker(['save', '-o', back, LAYERS])).code).toBe(0);
      await e.docker(['rmi', '-f', LAYERS]);
      expect((await e.docker(['load', '-i', back])).stdout).toContain(`Loaded image: ${LAYERS}`);
      expect((await e.docker(['image', 'inspect', '-f', '{{.Id}}', LAYERS])).stdout.trim()).toBe(id);
    } finally {
      await d.stop();
    }
  }, 120_000);
});
