import { describe, expect, it } from 'vitest';
import { formatPlatform, hostPlatform, parsePlatform, selectPlatform } from './platform.ts';

const entry = (architecture: string, variant?: string, os = 'linux') => ({ digest: `${os}/${architecture}/${variant ?? ''}`, platform: { os, architecture, ...(variant ? { variant } : {}) } });

describe('platforms', () => {
  it('parses and normalises like containerd', () => {
    expect(parsePlatform('linux/arm64/v8')).toEqual({ os: 'linux', architecture: 'arm64' });
    expect(parsePlatform('linux/aarch64')).toEqual({ os: 'linux', architecture: 'arm64' });
    expect(parsePlatform('linux/x86_64')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(parsePlatform('linux/arm')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
    expect(parsePlatform('arm64')).toEqual({ os: 'linux', architecture: 'arm64' });
    expect(() => parsePlatform('linux//')).toThrow(expect.objectContaining({ kind: 'InvalidArgument' }));
    expect(formatPlatform(parsePlatform('linux/arm/v6'))).toBe('linux/arm/v6');
  });

  it('knows the host platform', () => {
    expect(hostPlatform().os).toBe('linux');
    expect(hostPlatform().architecture).toBe(process.arch === 'x64' ? 'amd64' : process.arch);
  });

  type Entry = { digest: string; platform?: { os: string; architecture: string; variant?: string } };
  const index: Entry[] = [entry('amd64'), entry('arm', 'v6'), entry('arm', 'v7'), entry('arm64', 'v8'), entry('amd64', undefined, 'windows'), { digest: 'att', platform: { os: 'unknown', architecture: 'unknown' } }, { digest: 'none' }];

  it('selects os/arch/variant, preferring the exact variant and falling back to compatible ones', () => {
    expect(selectPlatform(index, parsePlatform('linux/amd64'))?.digest).toBe('linux/amd64/');
    expect(selectPlatform(index, parsePlatform('linux/arm64'))?.digest).toBe('linux/arm64/v8');
    expect(selectPlatform(index, parsePlatform('linux/arm/v7'))?.digest).toBe('linux/arm/v7');
    expect(selectPlatform([entry('arm', 'v6')], parsePlatform('linux/arm/v7'))?.digest).toBe('linux/arm/v6');
    expect(selectPlatform([entry('arm', 'v7')], parsePlatform('linux/arm/v6'))).toBeUndefined();
    expect(selectPlatform(index, parsePlatform('windows/amd64'))?.digest).toBe('windows/amd64/');
    expect(selectPlatform(index, parsePlatform('linux/s390x'))).toBeUndefined();
  });
});
