import { describe, expect, it } from 'vitest';
import { ReplayBuffer } from './replay-buffer.ts';

describe('terminal replay buffer', () => {
  it('keeps everything under its capacity', () => {
    const b = new ReplayBuffer(100);
    b.append('a\n');
    b.append('b');
    expect(b.text()).toBe('a\nb');
  });

  it('keeps the last capacity characters, starting after a newline', () => {
    const b = new ReplayBuffer(20);
    for (let i = 0; i < 50; i++) b.append(`line ${i}\n`);
    const t = b.text();
    expect(t.length).toBeLessThanOrEqual(20);
    expect(t.endsWith('line 49\n')).toBe(true);
    expect(t.startsWith('line ')).toBe(true);
  });
});
