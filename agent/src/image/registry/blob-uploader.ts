// Puts one blob into a repository the way Docker does: HEAD (already there?), cross-repository
// mount from a repository on the same registry, else upload — monolithic PUT for small blobs,
// one streamed PATCH then PUT ?digest= for big ones.
import { Transform, type Readable } from 'node:stream';
import { EngineError } from '../../errors.ts';
import type { OciDescriptor } from '../oci-types.ts';
import { headerValue } from './http-transport.ts';
import type { RegistryClient } from './registry-client.ts';

/** Above this size a blob goes up in a streamed PATCH instead of one PUT. */
export const chunkedThreshold = 5 << 20;

export type UploadOutcome = { kind: 'exists' } | { kind: 'mounted'; from: string } | { kind: 'uploaded' };

export async function blobExists(client: RegistryClient, digest: string): Promise<boolean> {
  const res = await client.request({ method: 'HEAD', url: `/v2/${client.repository}/blobs/${digest}` });
  res.body.resume();
  if (res.status === 200) return true;
  if (res.status === 404) return false;
  await client.expect(res, [200, 404], 'blob HEAD');
  return false;
}

/** POST …/uploads/?mount=&from=: 201 = mounted; otherwise the session it opened (or none). */
async function tryMount(client: RegistryClient, digest: string, from: string): Promise<{ mounted: boolean; location?: string }> {
  const q = new URLSearchParams({ mount: digest, from });
  const res = await client.request({ method: 'POST', url: `/v2/${client.repository}/blobs/uploads/?${q}` });
  res.body.resume();
  if (res.status === 201) return { mounted: true };
  if (res.status === 202) return { mounted: false, location: locationOf(client, res.headers.location, res.url) };
  return { mounted: false };
}

function locationOf(client: RegistryClient, location: string | undefined, base: string): string {
  if (!location) throw new EngineError('Internal', `the registry opened an upload for ${client.repository} without a Location`);
  return new URL(location, base).toString();
}

function withDigest(location: string, digest: string): string {
  const u = new URL(location);
  u.searchParams.set('digest', digest);
  return u.toString();
}

function counting(src: Readable, onBytes: (n: number) => void): Readable {
  let n = 0;
  const t = new Transform({
    transform(chunk: Buffer, _e, cb) {
      onBytes((n += chunk.length));
      cb(null, chunk);
    },
  });
  src.on('error', (e) => t.destroy(e));
  return src.pipe(t);
}

/**
 * Whether the repository has the blob already or can mount it from one of `mountFrom`. When a
 * mount attempt opened an upload session instead, its location is handed back for the upload.
 */
export async function findOrMount(client: RegistryClient, digest: string, mountFrom: string[]): Promise<UploadOutcome | { kind: 'missing'; location?: string }> {
  if (await blobExists(client, digest)) return { kind: 'exists' };
  for (const from of mountFrom) {
    if (from === client.repository) continue;
    const m = await tryMount(client, digest, from);
    if (m.mounted) return { kind: 'mounted', from };
    if (m.location) return { kind: 'missing', location: m.location };
  }
  return { kind: 'missing' };
}

/** Gives up an upload session we will not use. */
export async function cancelUpload(client: RegistryClient, location: string): Promise<void> {
  const res = await client.request({ method: 'DELETE', url: location }).catch(() => undefined);
  res?.body.resume();
}

/**
 * Makes `desc` present in the client's repository. `mountFrom` lists repositories (paths on the
 * same registry) known to hold it; `open` streams its bytes when an upload is needed.
 */
export async function putBlob(
  client: RegistryClient,
  desc: OciDescriptor,
  opts: { mountFrom: string[]; open: () => Promise<Readable>; onBytes: (n: number) => void; threshold?: number },
): Promise<UploadOutcome> {
  const found = await findOrMount(client, desc.digest, opts.mountFrom);
  if (found.kind !== 'missing') return found;
  let location = found.location;
  if (!location) {
    const res = await client.request({ method: 'POST', url: `/v2/${client.repository}/blobs/uploads/` });
    await client.expect(res, [202], 'blob upload');
    res.body.resume();
    location = locationOf(client, res.headers.location, res.url);
  }
  const body = counting(await opts.open(), opts.onBytes);
  const octet = { 'Content-Type': 'application/octet-stream', 'Content-Length': String(desc.size) };
  if (desc.size <= (opts.threshold ?? chunkedThreshold)) {
    const put = await client.request({ method: 'PUT', url: withDigest(location, desc.digest), headers: octet, body });
    await client.expect(put, [201, 204], 'blob upload');
    put.body.resume();
    return { kind: 'uploaded' };
  }
  const patch = await client.request({ method: 'PATCH', url: location, headers: { ...octet, 'Content-Range': `0-${desc.size - 1}` }, body });
  await client.expect(patch, [202, 204], 'blob upload');
  patch.body.resume();
  const next = locationOf(client, headerValue(patch.headers, 'location') ?? location, patch.url);
  const put = await client.request({ method: 'PUT', url: withDigest(next, desc.digest) });
  await client.expect(put, [201, 204], 'blob upload');
  put.body.resume();
  return { kind: 'uploaded' };
}
