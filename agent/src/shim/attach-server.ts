// The shim's unix socket (protocol in runtime/shim-protocol.ts): fans container output out to
// attached clients, feeds their input to the container, takes resizes, announces the exit.
import net from 'node:net';
import { promises as fs } from 'node:fs';
import { encodeFrame, FRAME_EXIT, FRAME_STDERR, FRAME_STDOUT, type ShimEvent, type ShimRequest } from '../runtime/shim-protocol.ts';
import type { ExitStatus } from '../runtime/shim-config.ts';
import type { OutputStream } from '../runtime/runtime-process.ts';

export interface AttachTarget {
  pid: () => number;
  exitPath: string;
  write(data: Buffer): void;
  endStdin(): void;
  resize(cols: number, rows: number): void;
  openStdin: boolean;
  stdinOnce: boolean;
}

interface Attached {
  sock: net.Socket;
  stdout: boolean;
  stderr: boolean;
}

const MAX_HEADER = 64 * 1024;

/** Reads the first line of a connection; what follows it is handed back untouched. */
function readHeader(sock: net.Socket): Promise<{ req: ShimRequest; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const nl = buf.indexOf(10);
      if (nl === -1) {
        if (buf.length > MAX_HEADER) fail(new Error('header too long'));
        return;
      }
      sock.off('data', onData);
      sock.off('end', onEnd);
      sock.pause();
      try {
        resolve({ req: JSON.parse(buf.subarray(0, nl).toString()) as ShimRequest, rest: buf.subarray(nl + 1) });
      } catch (e) {
        reject(e);
      }
    };
    const onEnd = () => fail(new Error('connection closed before header'));
    const fail = (e: Error) => {
      sock.off('data', onData);
      reject(e);
    };
    sock.on('data', onData);
    sock.once('end', onEnd);
  });
}

export class AttachServer {
  private readonly server: net.Server;
  private readonly attached = new Set<Attached>();
  private readonly controls = new Set<net.Socket>();
  private exitStatus: ExitStatus | undefined;

  constructor(
    private readonly socketPath: string,
    private readonly target: AttachTarget,
  ) {
    this.server = net.createServer({ allowHalfOpen: true }, (sock) => void this.accept(sock));
  }

  async listen(): Promise<void> {
    await fs.rm(this.socketPath, { force: true });
    // umask-independent 0600: the socket is a door into the container.
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.socketPath, () => resolve());
    });
    await fs.chmod(this.socketPath, 0o600);
  }

  private async accept(sock: net.Socket): Promise<void> {
    sock.on('error', () => undefined);
    let header: { req: ShimRequest; rest: Buffer };
    try {
      header = await readHeader(sock);
    } catch {
      sock.destroy();
      return;
    }
    const { req, rest } = header;
    if (req.op === 'control') this.acceptControl(sock, rest);
    else if (req.op === 'attach') this.acceptAttach(sock, req, rest);
    else if (req.op === 'resize') {
      this.target.resize(req.cols, req.rows);
      sock.end();
    } else sock.destroy();
  }

  private acceptControl(sock: net.Socket, rest: Buffer): void {
    this.sendEvent(sock, { event: 'hello', pid: this.target.pid(), exitPath: this.target.exitPath });
    if (this.exitStatus) {
      this.sendEvent(sock, { event: 'exit', status: this.exitStatus });
      sock.end();
      return;
    }
    this.controls.add(sock);
    let pending = '';
    const onLine = (line: string) => {
      try {
        const msg = JSON.parse(line) as ShimRequest;
        if (msg.op === 'resize') this.target.resize(msg.cols, msg.rows);
      } catch {
        // ignore garbage from a client; the connection stays useful
      }
    };
    const onData = (chunk: Buffer) => {
      const parts = (pending + chunk.toString()).split('\n');
      pending = parts.pop() ?? '';
      parts.filter(Boolean).forEach(onLine);
    };
    if (rest.length) onData(rest);
    sock.on('data', onData);
    sock.on('end', () => sock.end());
    sock.on('close', () => this.controls.delete(sock));
    sock.resume();
  }

  private acceptAttach(sock: net.Socket, req: Extract<ShimRequest, { op: 'attach' }>, rest: Buffer): void {
    const a: Attached = { sock, stdout: req.stdout, stderr: req.stderr };
    if (this.exitStatus) {
      sock.end(encodeFrame(FRAME_EXIT, Buffer.from(JSON.stringify(this.exitStatus))));
      return;
    }
    this.attached.add(a);
    sock.on('close', () => this.attached.delete(a));
    if (req.stdin && this.target.openStdin) {
      if (rest.length) this.target.write(rest);
      sock.on('data', (d: Buffer) => this.target.write(d));
      sock.on('end', () => {
        if (this.target.stdinOnce) this.target.endStdin();
      });
    } else {
      sock.on('data', () => undefined);
    }
    sock.resume();
  }

  private sendEvent(sock: net.Socket, ev: ShimEvent): void {
    if (!sock.destroyed) sock.write(JSON.stringify(ev) + '\n');
  }

  output(stream: OutputStream, data: Buffer): void {
    if (!this.attached.size) return;
    const frame = encodeFrame(stream === 'stdout' ? FRAME_STDOUT : FRAME_STDERR, data);
    for (const a of this.attached) {
      if ((stream === 'stdout' ? a.stdout : a.stderr) && !a.sock.destroyed) a.sock.write(frame);
    }
  }

  /** Tells every client about the exit and waits (briefly) for them to receive it. */
  async exit(status: ExitStatus, timeoutMs = 1000): Promise<void> {
    this.exitStatus = status;
    const socks: net.Socket[] = [];
    for (const s of this.controls) {
      this.sendEvent(s, { event: 'exit', status });
      s.end();
      socks.push(s);
    }
    const frame = encodeFrame(FRAME_EXIT, Buffer.from(JSON.stringify(status)));
    for (const a of this.attached) {
      a.sock.end(frame);
      socks.push(a.sock);
    }
    const closed = Promise.all(socks.map((s) => new Promise<void>((r) => (s.closed ? r() : s.once('close', () => r())))));
    await Promise.race([closed, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  async close(): Promise<void> {
    for (const s of this.controls) s.destroy();
    for (const a of this.attached) a.sock.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
    await fs.rm(this.socketPath, { force: true });
  }
}
