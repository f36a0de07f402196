import { describe, expect, it } from 'vitest';
import { manifestAccept, parseManifest } from './manifest.ts';

const d = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const b = (o: unknown) => Buffer.from(JSON.stringify(o));
const manifest = {
  schemaVersion: 2,
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 10, digest: d(1) },
  layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 5, digest: d(2) }],
};

describe('parseManifest', () => {
  it('asks for OCI and Docker manifests and indexes, schema1 last', () => {
    expect(manifestAccept).toMatch(/^application\/vnd\.oci\.image\.index\.v1\+json, application\/vnd\.oci\.image\.manifest\.v1\+json, .*manifest\.list\.v2\+json.*manifest\.v2\+json.*v1\+prettyjws;q=0\.1/);
  });

  it('reads a Docker schema2 manifest', () => {
    const p = parseManifest(b(manifest), 'application/vnd.docker.distribution.manifest.v2+json', 'x:1');
    expect(p.kind).toBe('manifest');
    expect(p.kind === 'manifest' && p.manifest.layers[0].digest).toBe(d(2));
  });

  it('reads OCI manifests and indexes with no mediaType field from the Content-Type or their shape', () => {
    const { mediaType: _m, ...bare } = manifest;
    expect(parseManifest(b(bare), 'application/vnd.oci.image.manifest.v1+json', 'x').mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    const idx = { schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 3, digest: d(3), platform: { os: 'linux', architecture: 'amd64' } }] };
    expect(parseManifest(b(idx), 'application/json', 'x').kind).toBe('index');
    expect(parseManifest(b({ ...idx, mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json' }), undefined, 'x').mediaType).toBe('application/vnd.docker.distribution.manifest.list.v2+json');
  });

  it('refuses schema1 with Docker 28 text', () => {
    const s1 = { schemaVersion: 1, name: 'a', tag: 'b', fsLayers: [] };
    expect(() => parseManifest(b(s1), 'application/vnd.docker.distribution.manifest.v1+prettyjws', 'foo:old')).toThrow(
      /^\[DEPRECATION NOTICE\] Docker Image Format v1 and Docker Image manifest version 2, schema 1 support has been removed\. Suggest the author of foo:old to upgrade the image to the OCI Format or Docker Image manifest v2, schema 2\./,
    );
  });

  it('refuses bad digests, sizes and unknown layer types', () => {
    const bad = (m: unknown) => () => parseManifest(b(m), undefined, 'x');
    expect(bad({ ...manifest, layers: [{ ...manifest.layers[0], digest: 'sha256:../../etc' }] })).toThrow(/unsupported digest/);
    expect(bad({ ...manifest, layers: [{ ...manifest.layers[0], size: -1 }] })).toThrow(/bad size/);
    expect(bad({ ...manifest, layers: [{ ...manifest.layers[0], mediaType: 'application/x-evil' }] })).toThrow(/unsupported layer media type/);
    expect(() => parseManifest(Buffer.from('nope'), undefined, 'x')).toThrow(/not JSON/);
  });
});
