// Docker-style events: an in-memory ring of recent events (for --since) and live subscribers.
// Events are engine-internal camelCase; api/docker renders Docker's JSON message shape.

export type EventType = 'container' | 'image' | 'volume' | 'network' | 'daemon';

export interface EngineEvent {
  type: EventType;
  action: string;
  id: string;
  attributes: Record<string, string>;
  /** Nanoseconds since the epoch. */
  timeNano: bigint;
}

export interface EventQuery {
  sinceNano?: bigint;
  untilNano?: bigint;
  match?: (e: EngineEvent) => boolean;
  signal: AbortSignal;
}

const HISTORY = 1024;

export class EventBus {
  private readonly history: EngineEvent[] = [];
  private readonly listeners = new Set<(e: EngineEvent) => void>();
  private lastNano = 0n;

  emit(type: EventType, action: string, id: string, attributes: Record<string, string> = {}): void {
    // Strictly increasing timestamps keep --since/--until boundaries unambiguous.
    let now = BigInt(Date.now()) * 1_000_000n;
    if (now <= this.lastNano) now = this.lastNano + 1n;
    this.lastNano = now;
    const e: EngineEvent = { type, action, id, attributes, timeNano: now };
    this.history.push(e);
    if (this.history.length > HISTORY) this.history.shift();
    for (const l of this.listeners) l(e);
  }

  /** Past events since `sinceNano`, then live ones until `untilNano` or abort. */
  async *stream(q: EventQuery): AsyncGenerator<EngineEvent> {
    const pending: EngineEvent[] = [];
    let wake: (() => void) | undefined;
    const listener = (e: EngineEvent) => {
      pending.push(e);
      wake?.();
    };
    const now = BigInt(Date.now()) * 1_000_000n;
    const live = q.untilNano === undefined || q.untilNano > now;
    if (live) this.listeners.add(listener);
    const onAbort = () => wake?.();
    q.signal.addEventListener('abort', onAbort);
    try {
      const inRange = (e: EngineEvent) =>
        (q.sinceNano === undefined || e.timeNano >= q.sinceNano) &&
        (q.untilNano === undefined || e.timeNano <= q.untilNano) &&
        (!q.match || q.match(e));
      if (q.sinceNano !== undefined) {
        for (const e of this.history) if (inRange(e)) yield e;
      }
      while (live && !q.signal.aborted) {
        if (q.untilNano !== undefined && BigInt(Date.now()) * 1_000_000n > q.untilNano) break;
        const e = pending.shift();
        if (e) {
          if (inRange(e)) yield e;
          continue;
        }
        // A fresh timer for each wait: a timer can fire a little before Date.now() passes `until`
        // (libuv schedules from its cached loop time), and one armed once would then be spent,
        // leaving the stream open for good when no other event comes.
        const timer = q.untilNano === undefined ? undefined : setTimeout(() => wake?.(), Number((q.untilNano - BigInt(Date.now()) * 1_000_000n) / 1_000_000n) + 1);
        await new Promise<void>((r) => (wake = r));
        clearTimeout(timer);
        wake = undefined;
      }
    } finally {
      this.listeners.delete(listener);
      q.signal.removeEventListener('abort', onAbort);
    }
  }
}
