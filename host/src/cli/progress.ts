// Boot progress on the terminal: one updating line with a spinner and elapsed time on a TTY,
// plain lines otherwise (logs, CI).
export class Progress {
  private readonly t0 = Date.now();
  private message = '';
  private timer?: NodeJS.Timeout;
  private frame = 0;
  private readonly tty = Boolean(process.stderr.isTTY);

  update(message: string): void {
    if (message === this.message) return;
    this.message = message;
    if (!this.tty) {
      process.stderr.write(`[${this.elapsed()}] ${message}\n`);
      return;
    }
    this.timer ??= setInterval(() => this.draw(), 100);
    this.draw();
  }

  private elapsed(): string {
    return `${((Date.now() - this.t0) / 1000).toFixed(1)}s`;
  }

  private draw(): void {
    const spin = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏'[this.frame++ % 10];
    process.stderr.write(`\r\x1b[K${spin} ${this.message} (${this.elapsed()})`);
  }

  done(final: string): void {
    clearInterval(this.timer);
    if (this.tty) process.stderr.write('\r\x1b[K');
    process.stderr.write(`${final} (${this.elapsed()})\n`);
  }
}
