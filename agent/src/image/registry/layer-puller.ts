// Fetches and unpacks an image's layers: up to 3 downloads at a time (the rest "Waiting"), each
// layer extracted as soon as its blob is in (in parallel), all under the pull's lease.
import os from 'node:os';
import type { ImageLease, ImageStore } from '../image-store.ts';
import type { OciDescriptor } from '../oci-types.ts';
import { chainIds } from '../unpacker.ts';
import { fetchBlob } from './blob-fetcher.ts';
import { ProgressThrottle, shortId, type ProgressSink } from './progress.ts';
import type { RegistryClient } from './registry-client.ts';

export interface LayerPullOptions {
  concurrency: number;
  retrySecondMs?: number;
  signal: AbortSignal;
  /** Called when a layer fails, to stop the others. */
  abort: () => void;
  onProgress: ProgressSink;
}

/** A counting semaphore: at most `n` holders. */
class Slots {
  private waiting: Array<() => void> = [];
  constructor(private free: number) {}
  async take(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

export async function pullLayers(store: ImageStore, client: RegistryClient, lease: ImageLease, layers: OciDescriptor[], diffIds: string[], opts: LayerPullOptions): Promise<void> {
  const chain = chainIds(diffIds);
  const emit = (d: OciDescriptor, status: string, current?: number, total?: number) =>
    opts.onProgress({ type: 'layer', id: shortId(d.digest), status, ...(total !== undefined ? { current, total } : {}) });
  const needed = layers.map((_, i) => !store.snapshots.has(chain[i]));
  const slots = new Slots(opts.concurrency);
  const downloads = new Map<string, Promise<void>>();
  let started = 0;
  layers.forEach((d, i) => {
    if (!needed[i]) return emit(d, 'Already exists');
    if (downloads.has(d.digest)) return;
    emit(d, 'Pulling fs layer');
    const queued = started++ >= opts.concurrency;
    downloads.set(d.digest, download(store, client, lease, d, slots, queued, emit, opts));
  });
  // The first download to fail is the cause; the others then fail only because we stopped them.
  let cause: unknown;
  for (const p of downloads.values()) {
    p.catch((e) => {
      cause ??= e;
      opts.abort();
    });
  }
  // Each layer unpacks into its own directory (its chain ID is known from the config), so layers
  // are extracted as soon as their blob is in, in parallel up to the CPU count: a pull costs
  // about max(download, extract) rather than their sum.
  const unpackSlots = new Slots(Math.max(1, Math.min(opts.concurrency, os.cpus().length)));
  const unpacks = layers.map(async (d, i) => {
    if (!needed[i]) return;
    await downloads.get(d.digest);
    await unpackSlots.take();
    try {
      opts.signal.throwIfAborted();
      const bar = new ProgressThrottle((n) => emit(d, 'Extracting', n, d.size));
      let read = 0;
      await store.unpackLayer(lease, { blob: d.digest, diffId: diffIds[i], chainId: chain[i], onRead: (n) => bar.update((read += n)) });
      emit(d, 'Pull complete');
    } finally {
      unpackSlots.give();
    }
  });
  try {
    await Promise.all(unpacks);
  } catch (e) {
    const first = cause ?? e;
    opts.abort();
    // Let every download and unpack finish failing so partial files are gone before the lease is released.
    await Promise.allSettled([...downloads.values(), ...unpacks]);
    throw first;
  }
}

async function download(
  store: ImageStore,
  client: RegistryClient,
  lease: ImageLease,
  d: OciDescriptor,
  slots: Slots,
  queued: boolean,
  emit: (d: OciDescriptor, status: string, current?: number, total?: number) => void,
  opts: LayerPullOptions,
): Promise<void> {
  if (queued) emit(d, 'Waiting');
  await slots.take();
  try {
    opts.signal.throwIfAborted();
    lease.addBlob(d.digest);
    const bar = new ProgressThrottle((n) => emit(d, 'Downloading', n, d.size));
    const { existed } = await fetchBlob(
      client,
      store.content,
      d,
      {
        onBytes: (n) => bar.update(n),
        onRetry: (s) => emit(d, `Retrying in ${s} second${s === 1 ? '' : 's'}`),
        onVerifying: () => emit(d, 'Verifying Checksum'),
      },
      { retrySecondMs: opts.retrySecondMs, signal: opts.signal },
    );
    if (!existed) bar.update(d.size, true);
    emit(d, 'Download complete');
  } finally {
    slots.give();
  }
}
