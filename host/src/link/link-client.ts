// The host end of the agent link: an SSH client on 127.0.0.1:<forwarded port>, authenticated by
// the host's key, checking the guest's host key (trust on first use). It hands out channels:
// a unix socket in the guest, a TCP port in the guest, an exec with or without a PTY.
import { EventEmitter } from 'node:events';
import ssh2, { type ClientChannel, type PseudoTtyOptions } from 'ssh2';
import { GuestStatusSchema, LINK_EXEC, LINK_USER, type GuestStatus } from '../../../protocol/src/link.ts';
import { checkHostKey } from './known-host.ts';

export interface LinkConnectOptions {
  port: number;
  privateKey: string;
  knownHostFile: string;
  readyTimeoutMs?: number;
}

export class HostKeyMismatchError extends Error {
  constructor(file: string, expected: string, got: string) {
    super(`the VM's link host key changed (expected ${expected}, got ${got}); if the VM was reset on purpose, remove ${file}`);
  }
}

export class LinkClient extends EventEmitter {
  private constructor(private readonly conn: ssh2.Client) {
    super();
    conn.on('close', () => this.emit('close'));
    // Re-emitted only to listeners: a one-shot `berth status` has none and must not crash.
    conn.on('error', (err) => this.listenerCount('error') && this.emit('error', err));
  }

  static connect(opts: LinkConnectOptions): Promise<LinkClient> {
    return new Promise((resolve, reject) => {
      const conn = new ssh2.Client();
      let mismatch: Error | undefined;
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        conn.end();
        reject(mismatch ?? err);
      };
      conn.once('ready', () => {
        settled = true;
        conn.removeListener('error', fail);
        conn.removeListener('close', onClose);
        resolve(new LinkClient(conn));
      });
      const onClose = () => fail(new Error('the link closed during the handshake'));
      conn.on('error', fail);
      conn.on('close', onClose);
      conn.connect({
        host: '127.0.0.1',
        port: opts.port,
        username: LINK_USER,
        privateKey: opts.privateKey,
        readyTimeout: opts.readyTimeoutMs ?? 10_000,
        keepaliveInterval: 15_000,
        hostVerifier: (key: Buffer) => {
          const check = checkHostKey(opts.knownHostFile, key);
          if (!check.ok) mismatch = new HostKeyMismatchError(opts.knownHostFile, check.expected, check.got);
          return check.ok;
        },
      });
    });
  }

  /** A stream to a unix socket inside the guest (direct-streamlocal@openssh.com). */
  openUnix(socketPath: string): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      this.conn.openssh_forwardOutStreamLocal(socketPath, (err, ch) => (err ? reject(err) : resolve(ch)));
    });
  }

  /** A stream to ip:port as seen from the guest (direct-tcpip). */
  openTcp(ip: string, port: number, from = { ip: '127.0.0.1', port: 0 }): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      this.conn.forwardOut(from.ip, from.port, ip, port, (err, ch) => (err ? reject(err) : resolve(ch)));
    });
  }

  exec(command: string, pty?: PseudoTtyOptions): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      this.conn.exec(command, pty ? { pty } : {}, (err, ch) => (err ? reject(err) : resolve(ch)));
    });
  }

  shell(pty: PseudoTtyOptions): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      this.conn.shell(pty, (err, ch) => (err ? reject(err) : resolve(ch)));
    });
  }

  async status(): Promise<GuestStatus> {
    const ch = await this.exec(LINK_EXEC.status);
    const chunks: Buffer[] = [];
    ch.on('data', (d: Buffer) => chunks.push(d));
    await new Promise((resolve) => ch.on('close', resolve));
    return GuestStatusSchema.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
  }

  close(): void {
    this.conn.end();
  }
}
