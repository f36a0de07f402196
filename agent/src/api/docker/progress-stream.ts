// Docker's JSON progress stream (pull, push, load): one JSON message per line. Headers go out
// with the first message, so a failure before any progress still gets a proper status code.
import type { ServerResponse } from 'node:http';
import type { PullProgress } from '../../image/registry/progress.ts';
import { errorStatus } from './error-response.ts';

export class ProgressStream {
  private started = false;

  constructor(private readonly res: ServerResponse) {}

  get hasStarted(): boolean {
    return this.started;
  }

  write(msg: Record<string, unknown>): void {
    if (!this.started) {
      this.res.writeHead(200, { 'Content-Type': 'application/json' });
      this.started = true;
    }
    this.res.write(JSON.stringify(msg) + '\n');
  }

  progress(p: PullProgress): void {
    if (p.type === 'status') this.write(p.id ? { status: p.status, id: p.id } : { status: p.status });
    else if (p.type === 'aux') this.write({ progressDetail: {}, aux: p.aux });
    else {
      const detail = p.total !== undefined ? { current: p.current ?? 0, total: p.total } : {};
      const bar = p.total !== undefined ? { progress: progressBar(p.current ?? 0, p.total) } : {};
      this.write({ status: p.status, progressDetail: detail, ...bar, id: p.id });
    }
  }

  /** After headers: Docker reports the failure as an error message in the stream. */
  fail(e: unknown): void {
    const { message } = errorStatus(e);
    this.write({ errorDetail: { message }, error: message });
  }

  end(): void {
    if (!this.started) {
      this.res.writeHead(200, { 'Content-Type': 'application/json' });
      this.started = true;
    }
    this.res.end();
  }
}

/** The text bar jsonmessage prints for clients that don't draw their own. */
function progressBar(current: number, total: number): string {
  const width = 50;
  const filled = total > 0 ? Math.min(width, Math.floor((current / total) * width)) : 0;
  const bar = '='.repeat(Math.max(0, filled - 1)) + (filled > 0 ? '>' : '') + ' '.repeat(width - filled);
  return `[${bar}] ${human(current)}/${human(total)}`;
}

function human(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)}${units[i]}`;
}
