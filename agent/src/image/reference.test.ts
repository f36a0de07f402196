import { describe, expect, it } from 'vitest';
import { familiarName, familiarString, fullString, normalizeTagged, parseReference, withDefaultTag } from './reference.ts';

describe('parseReference', () => {
  const cases: Array<[string, string, string]> = [
    // input, fully qualified, familiar with default tag
    ['busybox', 'docker.io/library/busybox', 'busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36', 'busybox:1.36'],
    ['library/busybox', 'docker.io/library/busybox', 'busybox:latest'],
    ['docker.io/library/busybox:latest', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['index.docker.io/library/busybox', 'docker.io/library/busybox', 'busybox:latest'],
    ['me/app:v2', 'docker.io/me/app:v2', 'me/app:v2'],
    ['docker.io/me/app', 'docker.io/me/app', 'me/app:latest'],
    ['localhost/app', 'localhost/app', 'localhost/app:latest'],
    ['localhost:5000/a/b:tag', 'localhost:5000/a/b:tag', 'localhost:5000/a/b:tag'],
    ['127.0.0.1:5000/x', '127.0.0.1:5000/x', '127.0.0.1:5000/x:latest'],
    ['quay.io/org/img', 'quay.io/org/img', 'quay.io/org/img:latest'],
    ['a/b/c/d', 'docker.io/a/b/c/d', 'a/b/c/d:latest'],
    ['my_app-1.x__y', 'docker.io/library/my_app-1.x__y', 'my_app-1.x__y:latest'],
    [`busybox@sha256:${'a'.repeat(64)}`, `docker.io/library/busybox@sha256:${'a'.repeat(64)}`, `busybox@sha256:${'a'.repeat(64)}`],
    [`busybox:1@sha256:${'b'.repeat(64)}`, `docker.io/library/busybox:1@sha256:${'b'.repeat(64)}`, `busybox:1@sha256:${'b'.repeat(64)}`],
    ['Registry.IO/x', 'Registry.IO/x', 'Registry.IO/x:latest'],
    ['sha256:abc', 'docker.io/library/sha256:abc', 'sha256:abc'],
  ];
  for (const [input, full, familiar] of cases) {
    it(`normalizes ${input}`, () => {
      const ref = parseReference(input);
      expect(fullString(ref)).toBe(full);
      expect(familiarString(withDefaultTag(ref))).toBe(familiar);
    });
  }

  it('splits domain, path, tag and digest', () => {
    expect(parseReference('localhost:5000/a/b:tag')).toEqual({ domain: 'localhost:5000', path: 'a/b', tag: 'tag' });
    expect(familiarName(parseReference('busybox:1'))).toBe('busybox');
    expect(normalizeTagged('docker.io/library/busybox')).toBe('busybox:latest');
  });

  const bad: Array<[string, string]> = [
    ['Busybox', 'invalid reference format: repository name (library/Busybox) must be lowercase'],
    ['me/App:1', 'invalid reference format: repository name (me/App) must be lowercase'],
    ['', 'invalid reference format'],
    ['busybox:', 'invalid reference format'],
    [':tag', 'invalid reference format'],
    ['a//b', 'invalid reference format'],
    ['-abc', 'invalid reference format'],
    ['abc-', 'invalid reference format'],
    ['busybox:ta g', 'invalid reference format'],
    [`busybox:${'t'.repeat(129)}`, 'invalid reference format'],
    ['busybox@sha256:abc', 'invalid reference format'],
    ['exa_mple.com/x', 'invalid reference format'],
    ['a'.repeat(64), `invalid repository name (${'a'.repeat(64)}), cannot specify 64-byte hexadecimal strings`],
    [`x/${'a'.repeat(260)}`, 'invalid reference format: repository name must not be more than 255 characters'],
  ];
  for (const [input, message] of bad) {
    it(`rejects ${JSON.stringify(input.slice(0, 20))}`, () => {
      expect(() => parseReference(input)).toThrow(message);
      try {
        parseReference(input);
      } catch (e) {
        expect(e).toMatchObject({ kind: 'InvalidArgument', message });
      }
    });
  }
});

describe('parseReference performance', () => {
  it('fails fast on long near-miss input (no catastrophic backtracking)', () => {
    const t0 = performance.now();
    for (const s of [`${'a'.repeat(200)}!`, `${'a-'.repeat(100)}!`, `x/${'a_'.repeat(100)}:`, `busybox:${'t'.repeat(129)}`]) {
      expect(() => parseReference(s)).toThrow();
    }
    expect(performance.now() - t0).toBeLessThan(100);
  });
});
