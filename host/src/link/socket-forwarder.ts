// BERTH_HOME/docker.sock: a local unix socket (0600, in the 0700 home) whose every connection is
// piped through the link to the engine's socket in the guest.
import { chmodSync, rmSync } from 'node:fs';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { spliceWhenOpen } from './splice.ts';

export type OpenStream = () => Promise<Duplex>;

export class SocketForwarder {
  private server?: net.Server;
  private readonly conns = new Set<net.Socket>();

  constructor(private readonly socketPath: string, private readonly open: OpenStream, private readonly log: (l: string) => void = () => {}) {}

  async listen(): Promise<void> {
    rmSync(this.socketPath, { force: true }); // stale from a killed host agent
    // allowHalfOpen: docker's hijacked streams half-close (the CLI's stdin EOF) and then read
    // the rest of the output; Node's default would end our side too and lose it.
    const server = net.createServer({ allowHalfOpen: true }, (sock) => this.onConnection(sock));
    this.server = server;
    // Tight umask while binding so the socket is never briefly reachable by others.
    const old = tightUmask();
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.socketPath, () => resolve());
      });
    } finally {
      if (old !== undefined) process.umask(old);
    }
    chmodSync(this.socketPath, 0o600);
  }

  private onConnection(sock: net.Socket): void {
    this.conns.add(sock);
    sock.on('close', () => this.conns.delete(sock));
    spliceWhenOpen(sock, this.open(), (err) => this.log(`docker.sock: cannot reach the engine in the VM: ${err.message}`));
  }

  async close(): Promise<void> {
    for (const c of this.conns) c.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    rmSync(this.socketPath, { force: true });
  }
}

/** process.umask cannot change in worker threads; the chmod after listen still applies there. */
function tightUmask(): number | undefined {
  try {
    return process.umask(0o177);
  } catch {
    return undefined;
  }
}
