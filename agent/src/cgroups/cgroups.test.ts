import { afterEach, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { cgroupDirs, probeCgroups } from './cgroup-probe.ts';
import { readStats, parseIoStatV2 } from './cgroup-stats.ts';
import { readOomKillCount, parseOomKill } from './cgroup-oom.ts';
import { removeCgroup } from './cgroup-cleanup.ts';

const temps: string[] = [];
async function tree(files: Record<string, string>): Promise<string> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-cg-'));
  temps.push(root);
  for (const [f, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(root, f)), { recursive: true });
    await fs.writeFile(path.join(root, f), text);
  }
  return root;
}
afterEach(async () => {
  for (const t of temps.splice(0)) await fs.rm(t, { recursive: true, force: true });
});

describe('probeCgroups', () => {
  it('detects v2 and v1/hybrid layouts', async () => {
    const v2 = await tree({ 'cgroup.controllers': 'cpuset cpu io memory pids\n' });
    expect(await probeCgroups(v2)).toEqual({ version: 2, driver: 'cgroupfs', controllers: ['cpuset', 'cpu', 'io', 'memory', 'pids'], hybrid: false });
    const v1 = await tree({ 'cpu,cpuacct/tasks': '', 'memory/tasks': '', 'systemd/tasks': '', 'unified/cgroup.controllers': '' });
    expect(await probeCgroups(v1)).toEqual({ version: 1, driver: 'cgroupfs', controllers: ['cpu', 'cpuacct', 'memory'], hybrid: true });
  });
  it('reports this host', async () => {
    const info = await probeCgroups();
    expect([1, 2]).toContain(info.version);
    expect(info.controllers).toContain('memory');
  });
});

describe('readStats', () => {
  it('reads v1 files', async () => {
    const p = '/berth/c1';
    const root = await tree({
      [`cpuacct${p}/cpuacct.usage`]: '5000\n', [`cpuacct${p}/cpuacct.usage_percpu`]: '2000 3000 \n',
      [`cpuacct${p}/cpuacct.stat`]: 'user 3\nsystem 1\n', [`cpu${p}/cpu.stat`]: 'nr_periods 4\nnr_throttled 2\nthrottled_time 99\n',
      [`memory${p}/memory.usage_in_bytes`]: '4096\n', [`memory${p}/memory.limit_in_bytes`]: '9223372036854771712\n',
      [`memory${p}/memory.stat`]: 'cache 10\nrss 20\n', [`memory${p}/memory.max_usage_in_bytes`]: '8192\n',
      [`pids${p}/pids.current`]: '3\n', [`pids${p}/pids.max`]: 'max\n',
      [`blkio${p}/blkio.throttle.io_service_bytes_recursive`]: '8:0 Read 100\n8:0 Write 50\n8:0 Sync 1\n8:16 Read 1\nTotal 151\n',
    });
    const s = await readStats(p, 1, root);
    expect(s).toMatchObject({
      cpuUsageNs: 5000, perCpuNs: [2000, 3000], cpuUserNs: 3e7, cpuSystemNs: 1e7, memoryUsage: 4096, memoryMaxUsage: 8192,
      memoryStats: { cache: 10, rss: 20 }, pidsCurrent: 3, pidsLimit: undefined, blkioRead: 101, blkioWrite: 50,
      throttling: { periods: 4, throttledPeriods: 2, throttledTimeNs: 99 },
    });
    expect(s.memoryLimit).toBeGreaterThan(1 << 20); // host total
    expect(s.onlineCpus).toBeGreaterThan(0);
    expect(s.systemCpuNs).toBeGreaterThan(0);
  });
  it('reads v2 files', async () => {
    const p = '/berth/c2';
    const root = await tree({
      [`${p}/cpu.stat`]: 'usage_usec 7\nuser_usec 5\nsystem_usec 2\n', [`${p}/memory.current`]: '1000\n', [`${p}/memory.max`]: '8388608\n',
      [`${p}/memory.stat`]: 'anon 5\nfile 6\n', [`${p}/pids.current`]: '1\n', [`${p}/pids.max`]: '10\n',
      [`${p}/io.stat`]: '8:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n',
    });
    expect(await readStats(p, 2, root)).toMatchObject({
      cpuUsageNs: 7000, cpuUserNs: 5000, memoryUsage: 1000, memoryLimit: 8388608, pidsCurrent: 1, pidsLimit: 10, blkioRead: 10, blkioWrite: 20,
    });
    expect(parseIoStatV2('')).toEqual([]);
  });
});

describe('OOM counter and cleanup on the real hierarchy', () => {
  it('parses oom_kill', () => {
    expect(parseOomKill('oom_kill_disable 0\nunder_oom 0\noom_kill 3\n')).toBe(3);
    expect(parseOomKill('low 0\nhigh 0\nmax 1\noom 0\noom_kill 1\n')).toBe(1);
  });
  it('reads a fresh cgroup and removes it with its parent', async () => {
    const info = await probeCgroups();
    const parent = `/berth-test-${randomBytes(4).toString('hex')}`;
    const p = `${parent}/c`;
    const dirs = await cgroupDirs(p, info.version);
    for (const d of dirs) await fs.mkdir(d, { recursive: true });
    try {
      expect(await readOomKillCount(p, info.version)).toBe(0);
      const s = await readStats(p, info.version);
      expect(s.pidsCurrent).toBe(0);
      expect(await removeCgroup(p, info.version)).toEqual([]);
      for (const d of dirs) await expect(fs.access(d)).rejects.toThrow();
    } finally {
      for (const d of dirs) {
        await fs.rmdir(d).catch(() => {});
        await fs.rmdir(path.dirname(d)).catch(() => {});
      }
    }
  });
});
