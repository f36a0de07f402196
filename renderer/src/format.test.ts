import { describe, expect, it } from 'vitest';
import { formatAge, formatBytes, shortId } from './format.ts';

describe('format', () => {
  it('sizes', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1500)).toBe('1.5 KB');
    expect(formatBytes(123_456_789)).toBe('123 MB');
  });
  it('ages from seconds or milliseconds', () => {
    const now = 1_700_000_000_000;
    expect(formatAge(1_700_000_000 - 7200, now)).toBe('2 hours ago');
    expect(formatAge(now - 60_000, now)).toBe('1 minute ago');
    expect(formatAge('2023-11-14T22:13:20Z', now)).toBe('just now');
  });
  it('short ids', () => expect(shortId('sha256:0123456789abcdef')).toBe('0123456789ab'));
});

describe('formatBytes for rates', () => {
  it('rounds fractional byte counts', () => {
    expect(formatBytes(317.7755710029792)).toBe('318 B');
    expect(formatBytes(1e-9)).toBe('0 B');
  });
});
