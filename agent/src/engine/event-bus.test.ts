import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventBus } from './event-bus.ts';

afterEach(() => vi.useRealTimers());

describe('EventBus.stream', () => {
  it('ends at --until even when its timer fires before the clock passes it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let clock = 1_000_000;
    vi.spyOn(Date, 'now').mockImplementation(() => clock);
    const bus = new EventBus();
    const until = BigInt(clock + 1000) * 1_000_000n;
    const got: string[] = [];
    let ended = false;
    const done = (async () => {
      for await (const e of bus.stream({ untilNano: until, signal: new AbortController().signal })) got.push(e.action);
      ended = true;
    })();
    bus.emit('container', 'start', 'c1');
    await vi.advanceTimersByTimeAsync(0);
    // The timer fires while Date.now() is still 5 ms short of `until` (libuv's cached loop time).
    clock += 995;
    await vi.advanceTimersByTimeAsync(1001);
    expect(ended).toBe(false);
    clock += 10;
    await vi.advanceTimersByTimeAsync(20);
    await done;
    expect(ended).toBe(true);
    expect(got).toEqual(['start']);
  });
});
