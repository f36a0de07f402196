import { describe, expect, it } from 'vitest';
import { parseWwwAuthenticate } from './auth-challenge.ts';

describe('parseWwwAuthenticate', () => {
  it('parses Docker Hub style Bearer challenges', () => {
    const c = parseWwwAuthenticate('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"');
    expect(c).toEqual([{ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' } }]);
  });

  it('keeps commas inside quoted scopes and handles escapes and spaces', () => {
    const c = parseWwwAuthenticate('Bearer realm = "http://127.0.0.1:1/t", scope="repository:a/b:pull,push", error="insufficient_scope", x="a\\"b"');
    expect(c[0].params).toEqual({ realm: 'http://127.0.0.1:1/t', scope: 'repository:a/b:pull,push', error: 'insufficient_scope', x: 'a"b' });
  });

  it('parses Basic and several challenges in one or many headers', () => {
    expect(parseWwwAuthenticate('Basic realm="Registry Realm"')).toEqual([{ scheme: 'basic', params: { realm: 'Registry Realm' } }]);
    const many = parseWwwAuthenticate(['Basic realm="r", Bearer realm="https://x/t",service=s', 'Negotiate']);
    expect(many.map((c) => c.scheme)).toEqual(['basic', 'bearer', 'negotiate']);
    expect(many[1].params).toEqual({ realm: 'https://x/t', service: 's' });
  });

  it('returns nothing for a missing header', () => {
    expect(parseWwwAuthenticate(undefined)).toEqual([]);
    expect(parseWwwAuthenticate('')).toEqual([]);
  });
});
