// The progress messages of a pull or push, in the engine's own shape; api/docker turns them into
// Docker's JSON lines (the same stream feeds the desktop UI).
export type PullProgress =
  /** `Pulling from library/busybox` (id = tag), `Digest: sha256:…`, `Status: …`. */
  | { type: 'status'; status: string; id?: string }
  /**
   * One layer's bar; `id` is the first 12 hex digits of the layer's (compressed) blob digest.
   * Pull: Pulling fs layer, Waiting, Downloading, Verifying Checksum, Download complete,
   * Extracting, Pull complete, Already exists, Retrying in N seconds.
   * Push: Preparing, Waiting, Pushing, Pushed, Layer already exists, Mounted from <repo>.
   */
  | { type: 'layer'; id: string; status: string; current?: number; total?: number }
  /** Push ends with `{ Tag, Digest, Size }`. */
  | { type: 'aux'; aux: Record<string, unknown> };

export type ProgressSink = (p: PullProgress) => void;

/** Docker's short layer ID. */
export function shortId(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

/** Passes a layer's byte counts on at most every `intervalMs` (the final count always goes). */
export class ProgressThrottle {
  private last = 0;

  constructor(
    private readonly emit: (current: number) => void,
    private readonly intervalMs = 100,
  ) {}

  update(current: number, force = false): void {
    const now = Date.now();
    if (!force && now - this.last < this.intervalMs) return;
    this.last = now;
    this.emit(current);
  }
}
