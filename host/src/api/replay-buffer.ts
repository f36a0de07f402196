// The last N characters of a terminal's output, so a view that comes back replays the screen.
// Trimming prefers to cut just after a newline so the replay does not start mid escape sequence.
export class ReplayBuffer {
  private chunks: string[] = [];
  private size = 0;

  constructor(readonly capacity = 256 * 1024) {}

  append(data: string): void {
    this.chunks.push(data);
    this.size += data.length;
    if (this.size > this.capacity * 1.25) this.compact();
  }

  text(): string {
    this.compact();
    return this.chunks.join('');
  }

  private compact(): void {
    let all = this.chunks.join('');
    if (all.length > this.capacity) {
      all = all.slice(all.length - this.capacity);
      const nl = all.indexOf('\n');
      if (nl >= 0 && nl < 4096) all = all.slice(nl + 1);
    }
    this.chunks = all ? [all] : [];
    this.size = all.length;
  }
}
