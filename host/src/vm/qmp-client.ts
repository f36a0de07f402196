// A minimal QMP client: connect, negotiate capabilities, run commands one at a time.
import net from 'node:net';

export class QmpClient {
  private buf = '';
  private waiters: Array<(msg: Record<string, unknown>) => void> = [];

  private constructor(private readonly sock: net.Socket) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      this.buf += d;
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl).trim();
        this.buf = this.buf.slice(nl + 1);
        if (!line) continue;
        const msg = JSON.parse(line) as Record<string, unknown>;
        if ('event' in msg) continue; // asynchronous events are not answers
        this.waiters.shift()?.(msg);
      }
    });
    sock.on('error', () => {});
  }

  static async connect(socketPath: string, timeoutMs = 3000): Promise<QmpClient> {
    const sock = net.connect(socketPath);
    sock.setTimeout(timeoutMs, () => sock.destroy(new Error('QMP: timed out')));
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', reject);
    });
    const qmp = new QmpClient(sock);
    await qmp.next(); // greeting
    await qmp.execute('qmp_capabilities');
    sock.setTimeout(0);
    return qmp;
  }

  private next(): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      this.waiters.push(resolve);
      this.sock.once('close', () => reject(new Error('QMP: connection closed')));
    });
  }

  async execute(command: string, args?: Record<string, unknown>): Promise<unknown> {
    const answer = this.next();
    this.sock.write(JSON.stringify(args ? { execute: command, arguments: args } : { execute: command }) + '\n');
    const msg = await answer;
    if (msg.error) throw new Error(`QMP ${command}: ${JSON.stringify(msg.error)}`);
    return msg.return;
  }

  close(): void {
    this.sock.end();
  }
}
