import { describe, it, expect } from 'vitest';
import { parseNetDev, readNetDev } from './net-stats.ts';

const SAMPLE = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     100       2    0    0    0     0          0         0      100       2    0    0    0     0       0          0
  eth0: 1234567    890    1    2    0     0          0         0  7654321     432    3    4    0     0       0          0
`;

describe('parseNetDev', () => {
  it('parses counters and skips lo', () => {
    expect(parseNetDev(SAMPLE)).toEqual({
      eth0: { rxBytes: 1234567, rxPackets: 890, rxErrors: 1, rxDropped: 2, txBytes: 7654321, txPackets: 432, txErrors: 3, txDropped: 4 },
    });
  });
  it('reads a live process', async () => {
    const stats = await readNetDev(process.pid);
    expect(stats.lo).toBeUndefined();
    for (const s of Object.values(stats)) expect(s.rxBytes).toBeGreaterThanOrEqual(0);
  });
});
