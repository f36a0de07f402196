// Downloads one blob into the content store: hashed while it streams (the store refuses a wrong
// digest), never more bytes than the descriptor says, resumed with Range after a dropped
// connection, and retried like Docker (up to 5 attempts, "Retrying in N seconds").
import { PassThrough } from 'node:stream';
import { EngineError, invalid, isEngineError } from '../../errors.ts';
import type { ContentStore } from '../../store/content-store.ts';
import type { OciDescriptor } from '../oci-types.ts';
import { httpRequest, isNetworkError, type HttpResponse } from './http-transport.ts';
import { isForeignLayer } from './manifest.ts';
import type { RegistryClient } from './registry-client.ts';

export interface FetchHooks {
  /** Bytes received so far (unthrottled: the caller throttles). */
  onBytes?: (received: number) => void;
  onRetry?: (secondsLeft: number) => void;
  /** All bytes are in; the store is checking the digest. */
  onVerifying?: () => void;
}

export interface FetchOptions {
  maxAttempts?: number;
  /** How long one "second" of Docker's retry countdown lasts (tests shorten it). */
  retrySecondMs?: number;
  signal?: AbortSignal;
}

/** Not worth retrying: the registry answered, and the answer was wrong. */
class PermanentError extends Error {}

/** Stores the blob `desc` (no-op when present); `existed` says whether it was already stored. */
export async function fetchBlob(client: RegistryClient, content: ContentStore, desc: OciDescriptor, hooks: FetchHooks, opts: FetchOptions = {}): Promise<{ existed: boolean }> {
  if (await content.has(desc.digest)) return { existed: true };
  const maxAttempts = opts.maxAttempts ?? 5;
  const sink = new PassThrough();
  const stored = content.put(sink, desc.digest);
  stored.catch(() => undefined);
  // Bytes already handed to the store survive a failed attempt: the next one resumes after them.
  const progress = { received: 0 };
  let attempt = 0;
  try {
    for (;;) {
      try {
        await fetchRange(client, desc, progress, sink, hooks, opts.signal);
        if (progress.received === desc.size) break;
        throw Object.assign(new Error('unexpected EOF'), { code: 'UNEXPECTED_EOF' });
      } catch (e) {
        attempt++;
        if (e instanceof PermanentError || isEngineError(e) || opts.signal?.aborted || !retryable(e) || attempt >= maxAttempts) throw e;
        await countdown(attempt * 5, opts.retrySecondMs ?? 1000, hooks, opts.signal);
      }
    }
    hooks.onVerifying?.();
    sink.end();
    const r = await stored;
    return { existed: r.existed };
  } catch (e) {
    sink.destroy(e instanceof Error ? e : new Error(String(e)));
    await stored.catch(() => undefined);
    if (opts.signal?.aborted) throw new EngineError('Unavailable', 'pull cancelled', { cause: e });
    throw asFetchError(e, desc);
  }
}

function retryable(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException)?.code;
  return code === 'UNEXPECTED_EOF' || code === 'RETRY_STATUS' || isNetworkError(e) || /aborted|terminated|premature/i.test(String((e as Error)?.message));
}

/** Streams the blob from `progress.received` on into `sink`, counting as it goes. */
async function fetchRange(client: RegistryClient, desc: OciDescriptor, progress: { received: number }, sink: PassThrough, hooks: FetchHooks, signal?: AbortSignal): Promise<void> {
  const offset = progress.received;
  const res = await openBlob(client, desc, offset, signal);
  const contentRange = /^bytes (\d+)-/.exec(String(res.headers['content-range'] ?? ''));
  if (res.status === 206 && contentRange && Number(contentRange[1]) !== offset) {
    res.body.destroy();
    throw new PermanentError(`the registry answered a request for ${desc.digest} from byte ${offset} with bytes from ${contentRange[1]}`);
  }
  // A server that ignores Range sends it all again: skip what we already have.
  let skip = res.status === 200 ? offset : 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    let c = chunk;
    if (skip > 0) {
      const n = Math.min(skip, c.length);
      skip -= n;
      c = c.subarray(n);
      if (!c.length) continue;
    }
    if (progress.received + c.length > desc.size) {
      res.body.destroy();
      throw new PermanentError(`the registry sent more than the ${desc.size} bytes the manifest gives for ${desc.digest}`);
    }
    progress.received += c.length;
    if (!sink.write(c)) await drained(sink);
    hooks.onBytes?.(progress.received);
  }
}

function drained(sink: PassThrough): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const closed = () => done(new Error('the content store stopped reading'));
    const done = (e?: Error) => {
      sink.off('drain', done);
      sink.off('error', done);
      sink.off('close', closed);
      if (e) reject(e);
      else resolve();
    };
    sink.on('drain', done);
    sink.on('error', done);
    sink.on('close', closed);
  });
}

async function openBlob(client: RegistryClient, desc: OciDescriptor, offset: number, signal?: AbortSignal): Promise<HttpResponse> {
  const headers: Record<string, string> = offset > 0 ? { Range: `bytes=${offset}-` } : {};
  // Foreign / non-distributable layers: their own URLs first (as Docker did), then the registry.
  if (isForeignLayer(desc)) {
    for (const u of desc.urls ?? []) {
      if (!/^https?:\/\//.test(u)) continue;
      try {
        const res = await httpRequest({ method: 'GET', url: u, headers, signal });
        if (res.status === 200 || res.status === 206) return res;
        res.body.resume();
      } catch (e) {
        if (signal?.aborted) throw e;
      }
    }
  }
  const res = await client.request({ method: 'GET', url: `/v2/${client.repository}/blobs/${desc.digest}`, headers });
  if (res.status === 200 || res.status === 206) return res;
  if (res.status >= 500 || res.status === 429) {
    res.body.resume();
    throw Object.assign(new Error(`${res.status} ${res.statusText}`), { code: 'RETRY_STATUS' });
  }
  try {
    await client.expect(res, [200, 206], 'blob');
  } catch (e) {
    throw new PermanentError(`error pulling blob ${desc.digest}: ${(e as Error).message}`);
  }
  return res;
}

async function countdown(seconds: number, secondMs: number, hooks: FetchHooks, signal?: AbortSignal): Promise<void> {
  for (let s = seconds; s > 0; s--) {
    hooks.onRetry?.(s);
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, secondMs);
      signal?.addEventListener('abort', () => {
        clearTimeout(t);
        resolve();
      }, { once: true });
    });
    if (signal?.aborted) throw new EngineError('Unavailable', 'pull cancelled');
  }
}

function asFetchError(e: unknown, desc: OciDescriptor): unknown {
  if (isEngineError(e, 'InvalidArgument') && /digest mismatch/.test(e.message)) {
    return invalid(`failed to verify blob ${desc.digest}: ${e.message}`);
  }
  if (isEngineError(e)) return e;
  if (e instanceof PermanentError) return new EngineError('Internal', e.message);
  return new EngineError('Internal', `failed to download blob ${desc.digest}: ${(e as Error)?.message ?? String(e)}`, { cause: e });
}
