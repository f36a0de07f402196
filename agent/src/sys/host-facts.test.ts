import { describe, expect, it } from 'vitest';
import { hostLimits, parseLimits } from './host-limits.ts';
import { hostDevices } from './host-devices.ts';
import { hostMemoryTotal, parseProcStat, procStat } from './proc-stat.ts';

describe('host limits', () => {
  it('parses /proc/self/limits and drops unlimited values', () => {
    const text = [
      'Limit                     Soft Limit           Hard Limit           Units     ',
      'Max cpu time              unlimited            unlimited            seconds   ',
      'Max open files            1024                 20000                files     ',
      'Max stack size            8388608              unlimited            bytes     ',
      'Max processes             96365                96365                processes ',
    ].join('\n');
    expect(parseLimits(text)).toEqual([
      { type: 'RLIMIT_NOFILE', soft: 1024, hard: 20000 },
      { type: 'RLIMIT_NPROC', soft: 96365, hard: 96365 },
    ]);
  });
  it('reads this process', async () => {
    expect((await hostLimits()).find((l) => l.type === 'RLIMIT_NOFILE')?.hard).toBeGreaterThan(0);
  });
});

describe('host devices', () => {
  it('finds /dev/null as c 1:3', async () => {
    const devs = await hostDevices();
    expect(devs.find((d) => d.path === '/dev/null')).toMatchObject({ type: 'c', major: 1, minor: 3 });
    expect(devs.some((d) => d.path.startsWith('/dev/pts/'))).toBe(false);
  });
});

describe('proc stat', () => {
  it('sums cpu ticks and counts cpus', () => {
    const s = parseProcStat('cpu  1 2 3 4 5 6 7 8 9 10\ncpu0 1 1 1 1 1 1 1\ncpu1 1 1 1 1 1 1 1\nintr 5\n');
    expect(s).toEqual({ systemCpuNs: 28 * 1e7, onlineCpus: 2 });
  });
  it('reads the host', async () => {
    expect((await procStat()).onlineCpus).toBeGreaterThan(0);
    expect(await hostMemoryTotal()).toBeGreaterThan(1 << 20);
  });
});
