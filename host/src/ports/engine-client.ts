// Just enough of a Docker API client for the host agent, over a unix socket: GET JSON, a ping,
// and the /events stream (newline-delimited JSON).
import http from 'node:http';

export interface EngineEvent {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string };
  id?: string;
}

export class EngineClient {
  constructor(readonly socketPath: string) {}

  getJson(path: string, timeoutMs = 10_000): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const req = http.get({ socketPath: this.socketPath, path, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 500) >= 400) return reject(new Error(`GET ${path}: ${res.statusCode} ${text.trim()}`));
          try {
            resolve(JSON.parse(text));
          } catch (err) {
            reject(err);
          }
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`GET ${path}: timed out`)));
      req.on('error', reject);
    });
  }

  ping(timeoutMs = 3000): Promise<boolean> {
    return new Promise((resolve) => {
      const req = http.get({ socketPath: this.socketPath, path: '/_ping', timeout: timeoutMs }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(false));
    });
  }

  /** Follows /events until close() or the stream ends; `onEnd` is told either way. */
  events(filters: Record<string, string[]>, onEvent: (e: EngineEvent) => void, onEnd: (err?: Error) => void): { close(): void } {
    const path = `/events?filters=${encodeURIComponent(JSON.stringify(filters))}`;
    let closed = false;
    const req = http.get({ socketPath: this.socketPath, path }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return onEnd(new Error(`GET /events: ${res.statusCode}`));
      }
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buf += d;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line) {
            try {
              onEvent(JSON.parse(line) as EngineEvent);
            } catch {
              // one bad line must not end the stream
            }
          }
        }
      });
      res.on('end', () => !closed && onEnd());
      res.on('error', (err) => !closed && onEnd(err));
    });
    req.on('error', (err) => !closed && onEnd(err));
    return {
      close() {
        closed = true;
        req.destroy();
      },
    };
  }
}
