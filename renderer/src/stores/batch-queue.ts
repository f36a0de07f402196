// Coalesces bursts of change notices (a `docker run` emits create, attach, connect, start) into
// one refetch per burst; notices that arrive while a refetch is in flight wait for the next one.
export class BatchQueue<K> {
  private pending = new Set<K>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(private readonly flush: (keys: Set<K>) => Promise<void>, private readonly delayMs = 30) {}

  add(key: K): void {
    this.pending.add(key);
    if (this.timer === undefined && !this.inFlight) this.schedule();
  }

  /** Resolves once everything queued so far has been flushed (tests, and callers that must wait). */
  async settled(): Promise<void> {
    while (this.timer !== undefined || this.inFlight) {
      if (this.timer !== undefined) {
        clearTimeout(this.timer);
        this.timer = undefined;
        this.run();
      }
      await this.inFlight;
    }
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.run();
    }, this.delayMs);
  }

  private run(): void {
    const keys = this.pending;
    this.pending = new Set();
    this.inFlight = this.flush(keys)
      .catch(() => undefined)
      .finally(() => {
        this.inFlight = undefined;
        if (this.pending.size > 0) this.schedule();
      });
  }
}
