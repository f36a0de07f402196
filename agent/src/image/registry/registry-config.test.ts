import { describe, expect, it } from 'vitest';
import { decodeRegistryAuthHeader, inCidr, isInsecureRegistry, registryEndpoints } from './registry-config.ts';

const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const cfg = { insecureRegistries: [], mirrors: [] };

describe('decodeRegistryAuthHeader', () => {
  it('decodes base64url JSON with Docker field names', () => {
    const h = enc({ username: 'u', password: 'p?>>', serveraddress: '127.0.0.1:5000' });
    expect(decodeRegistryAuthHeader(h)).toEqual({ username: 'u', password: 'p?>>', serverAddress: '127.0.0.1:5000' });
  });

  it('accepts standard base64 and identity / registry tokens', () => {
    const h = Buffer.from(JSON.stringify({ identitytoken: 'idt', registrytoken: 'rt' })).toString('base64');
    expect(decodeRegistryAuthHeader(h)).toEqual({ identityToken: 'idt', registryToken: 'rt' });
  });

  it('treats missing, empty and {} as no credentials', () => {
    expect(decodeRegistryAuthHeader(undefined)).toBeUndefined();
    expect(decodeRegistryAuthHeader('')).toBeUndefined();
    expect(decodeRegistryAuthHeader(enc({}))).toBeUndefined();
    expect(decodeRegistryAuthHeader(enc({ username: '', password: '' }))).toBeUndefined();
  });

  it('splits the legacy combined auth field', () => {
    expect(decodeRegistryAuthHeader(enc({ auth: Buffer.from('me:se:cret').toString('base64') }))).toEqual({ username: 'me', password: 'se:cret' });
  });

  it('refuses garbage with InvalidArgument', () => {
    expect(() => decodeRegistryAuthHeader('!!!not base64 json')).toThrow(expect.objectContaining({ kind: 'InvalidArgument' }));
    expect(() => decodeRegistryAuthHeader(enc([1, 2]))).toThrow(/not a JSON object/);
  });
});

describe('insecure registries and endpoints', () => {
  it('treats loopback as insecure, others only when configured', () => {
    expect(isInsecureRegistry('127.0.0.1:5000', cfg)).toBe(true);
    expect(isInsecureRegistry('127.8.9.1', cfg)).toBe(true);
    expect(isInsecureRegistry('[::1]:5000', cfg)).toBe(true);
    expect(isInsecureRegistry('localhost:5000', cfg)).toBe(true);
    expect(isInsecureRegistry('10.0.0.5:5000', cfg)).toBe(false);
    expect(isInsecureRegistry('10.0.0.5:5000', { ...cfg, insecureRegistries: ['10.0.0.0/8'] })).toBe(true);
    expect(isInsecureRegistry('reg.example:5000', { ...cfg, insecureRegistries: ['reg.example:5000'] })).toBe(true);
    expect(isInsecureRegistry('reg.example:5001', { ...cfg, insecureRegistries: ['reg.example:5000'] })).toBe(false);
  });

  it('matches IPv6 CIDRs', () => {
    expect(inCidr('fd00::1', 'fd00::/8')).toBe(true);
    expect(inCidr('fe80::1', 'fd00::/8')).toBe(false);
  });

  it('tries Hub mirrors first, https then http for insecure registries', () => {
    expect(registryEndpoints('docker.io', { ...cfg, mirrors: ['http://127.0.0.1:6000/'] }).map((e) => e.url)).toEqual(['http://127.0.0.1:6000', 'https://registry-1.docker.io']);
    expect(registryEndpoints('docker.io', { ...cfg, mirrors: ['http://127.0.0.1:6000'] }, true).map((e) => e.url)).toEqual(['https://registry-1.docker.io']);
    expect(registryEndpoints('127.0.0.1:5000', cfg).map((e) => e.url)).toEqual(['https://127.0.0.1:5000', 'http://127.0.0.1:5000']);
    expect(registryEndpoints('ghcr.io', cfg)).toEqual([{ url: 'https://ghcr.io', insecure: false, mirror: false }]);
  });
});
