// Bad input gets Docker's status and message and leaves nothing behind: the test counts mounts,
// netns, links, cgroups, netfilter rules and containers before and after.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import { containerIdsSince, startEngine, snapshotHost, type EngineHandle } from '../harness/engine-process.ts';
import { loadFixtures, fixture, BUSYBOX, HTTPD } from '../harness/fixtures.ts';

let e: EngineHandle;
beforeAll(async () => {
  e = await startEngine('bad');
  await loadFixtures(e, ['busybox.tar', 'httpd.tar']);
});
afterAll(async () => e?.stop());

function api(method: string, path: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: e.socket, method, path, headers: { 'Content-Type': 'application/json' } }, (res) => {
      let data = '';
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const create = (body: object, name?: string) => api('POST', `/v1.50/containers/create${name ? `?name=${name}` : ''}`, JSON.stringify(body));

describe('bad input', () => {
  it('gets Docker status codes and messages and changes nothing', async () => {
    const t0 = Date.now() / 1000 - 1;
    const before = await snapshotHost(e);
    const count = async () => (await e.docker(['ps', '-aq'])).stdout.split('\n').filter(Boolean).length;
    const n0 = await count();

    const malformed = await api('POST', '/v1.50/containers/create', '{"Image": ');
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.body).message).toMatch(/JSON/);

    const unknown = await e.docker(['run', '--pull', 'never', 'no-such-image:1']);
    expect(unknown.stderr).toContain('No such image: no-such-image:1');

    const badName = await create({ Image: BUSYBOX }, 'bad%20name!');
    expect(badName.status).toBe(400);
    expect(JSON.parse(badName.body).message).toContain('Invalid container name');

    await e.docker(['create', '--name', 'taken', BUSYBOX]);
    const dup = await create({ Image: BUSYBOX }, 'taken');
    expect(dup.status).toBe(409);
    expect(JSON.parse(dup.body).message).toContain('is already in use');
    await e.docker(['rm', 'taken']);

    const badPort = await create({ Image: BUSYBOX, HostConfig: { PortBindings: { 'abc/tcp': [{ HostPort: '80' }] } } });
    expect(badPort.status).toBe(400);
    expect(JSON.parse(badPort.body).message).toMatch(/invalid/i);

    const relBind = await create({ Image: BUSYBOX, HostConfig: { Mounts: [{ Type: 'bind', Source: 'relative/dir', Target: '/x' }] } });
    expect(relBind.status).toBe(400);
    expect(JSON.parse(relBind.body).message).toContain('must be absolute');

    const badVol = await e.docker(['volume', 'create', '../evil']);
    expect(badVol.code).not.toBe(0);
    expect(badVol.stderr).toContain('includes invalid characters for a local volume name');
    const badVol2 = await e.docker(['run', '--rm', '-v', 'a/b:/x', BUSYBOX, 'true']);
    expect(badVol2.code).not.toBe(0);

    const tiny = await e.docker(['run', '-m', '4m', BUSYBOX, 'true']);
    expect(tiny.stderr).toContain('Minimum memory limit allowed is 6MB');

    // A port taken on the host: the failed start leaves no netns, veth, mount or cgroup.
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '0.0.0.0', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    const taken = await e.docker(['run', '-d', '--name', 'blocked', '-p', `${port}:80`, HTTPD]);
    expect(taken.stderr).toContain('port is already allocated');
    blocker.close();
    await e.docker(['rm', '-f', 'blocked']);

    const missingCmd = await e.docker(['run', '--name', 'nocmd', BUSYBOX, '/no/such/binary']);
    expect(missingCmd.code).toBe(127);
    expect(missingCmd.stderr).toMatch(/no such file or directory|not found/);
    await e.docker(['rm', '-f', 'nocmd']);

    expect(await count()).toBe(n0);
    const ids = await containerIdsSince(e, t0);
    expect(ids.length).toBeGreaterThanOrEqual(3);
    expect(await snapshotHost(e, ids)).toEqual({ ...before, netns: 0, cgroups: 0 });
  });

  it('refuses archives whose entries escape, and stores nothing', async () => {
    const imagesBefore = (await e.docker(['images', '-aq'])).stdout;
    for (const f of ['evil-dotdot.tar', 'evil-symlink.tar']) {
      const r = await e.docker(['load', '-i', fixture(f)]);
      expect(r.code).not.toBe(0);
      expect(r.stderr.length).toBeGreaterThan(0);
    }
    expect((await e.docker(['images', '-aq'])).stdout).toBe(imagesBefore);
  });

  it('rm of a running container without -f is refused', async () => {
    await e.docker(['run', '-d', '--name', 'runner', BUSYBOX, 'sleep', '300']);
    const r = await e.docker(['rm', 'runner']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('container is running');
    expect((await e.docker(['inspect', '-f', '{{.State.Running}}', 'runner'])).stdout.trim()).toBe('true');
  });
});
