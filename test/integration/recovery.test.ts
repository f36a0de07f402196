// kill -9 of the engine while containers run: nothing acknowledged is lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEngine, snapshotHost, type EngineHandle } from '../harness/engine-process.ts';
import { loadFixtures, BUSYBOX } from '../harness/fixtures.ts';

let e: EngineHandle;
beforeAll(async () => {
  e = await startEngine('recover');
  await loadFixtures(e, ['busybox.tar']);
});
afterAll(async () => e?.stop());

const inspect = async (fmt: string, name: string) => (await e.docker(['inspect', '-f', fmt, name])).stdout.trim();

describe('engine crash recovery', () => {
  it('re-adopts running containers, records exits, restarts policies, keeps volumes', async () => {
    await e.docker(['volume', 'create', 'survivor']);
    await e.docker(['run', '-v', 'survivor:/v', '--name', 'writer', BUSYBOX, 'sh', '-c', 'echo kept > /v/f']);
    await e.docker(['run', '-d', '--name', 'steady', BUSYBOX, 'sleep', '300']);
    await e.docker(['run', '-d', '--name', 'ending', BUSYBOX, 'sh', '-c', 'sleep 2; exit 4']);
    await e.docker(['run', '-d', '--name', 'always', '--restart', 'always', BUSYBOX, 'sleep', '300']);
    await e.docker(['run', '-d', '--name', 'comeback', '--restart', 'unless-stopped', BUSYBOX, 'sh', '-c', 'sleep 2; exit 1']);
    await e.docker(['create', '--name', 'fresh', BUSYBOX, 'true']);
    const pid = await inspect('{{.State.Pid}}', 'steady');

    // 'ending' and 'comeback' exit while the engine is down.
    await e.restart('SIGKILL', 2500);
    await sleep(500);
    await e.restart('SIGKILL');

    const names = (await e.docker(['ps', '-a', '--format', '{{.Names}}'])).stdout.split('\n').filter(Boolean).sort();
    expect(names).toEqual(['always', 'comeback', 'ending', 'fresh', 'steady', 'writer']);
    expect(await inspect('{{.State.Status}}', 'comeback')).toMatch(/running|restarting/);
    expect(await inspect('{{.State.Status}} {{.State.Pid}}', 'steady')).toBe(`running ${pid}`);
    expect(await inspect('{{.State.Status}} {{.State.ExitCode}}', 'ending')).toBe('exited 4');
    expect(await inspect('{{.State.Status}}', 'always')).toBe('running');
    expect(await inspect('{{.State.Status}}', 'fresh')).toBe('created');
    const kept = await e.docker(['run', '--rm', '-v', 'survivor:/v', BUSYBOX, 'cat', '/v/f']);
    expect(kept.stderr).toBe('');
    expect(kept.stdout).toBe('kept\n');

    // Re-adopted containers are fully controllable, and stopping releases everything.
    expect((await e.docker(['exec', 'steady', 'echo', 'alive'])).stdout).toBe('alive\n');
    expect((await e.docker(['stop', '-t', '1', 'steady', 'always', 'comeback'])).code).toBe(0);
    const ids = (await e.docker(['ps', '-aq', '--no-trunc'])).stdout.split('\n').filter(Boolean);
    const host = await snapshotHost(e, ids);
    expect(host.netns).toBe(0);
    expect(host.mounts, (await fs.readFile('/proc/self/mountinfo', 'utf8')).split('\n').filter((l) => l.includes(e.dataRoot)).join('\n')).toBe(0);
    expect(host.cgroups).toBe(0);
  });

  it('re-adopted containers survive a clean SIGTERM restart too', async () => {
    await e.docker(['run', '-d', '--name', 'calm', BUSYBOX, 'sleep', '300']);
    await e.restart('SIGTERM');
    expect(await inspect('{{.State.Status}}', 'calm')).toBe('running');
    await e.docker(['kill', 'calm']);
    expect((await e.docker(['wait', 'calm'])).stdout.trim()).toBe('137');
  });
});
