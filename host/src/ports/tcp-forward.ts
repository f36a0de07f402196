// One published TCP port on the host: each accepted connection becomes a direct-tcpip channel
// to the guest.
import net from 'node:net';
import type { PortForward } from '../../../protocol/src/link.ts';
import { spliceWhenOpen } from '../link/splice.ts';
import { listenOptions, type GuestTunnel } from './guest-tunnel.ts';

export class TcpForward {
  private readonly conns = new Set<net.Socket>();

  private constructor(private readonly server: net.Server) {}

  static async open(f: PortForward, tunnel: GuestTunnel, log: (l: string) => void): Promise<TcpForward> {
    const fwd: TcpForward = new TcpForward(net.createServer({ allowHalfOpen: true }, (sock) => fwd.onConnection(sock, f, tunnel, log)));
    await new Promise<void>((resolve, reject) => {
      fwd.server.once('error', reject);
      fwd.server.listen(listenOptions(f.hostIp, f.hostPort), () => {
        fwd.server.off('error', reject);
        resolve();
      });
    });
    return fwd;
  }

  private onConnection(sock: net.Socket, f: PortForward, tunnel: GuestTunnel, log: (l: string) => void): void {
    this.conns.add(sock);
    sock.on('close', () => this.conns.delete(sock));
    const from = { ip: sock.remoteAddress ?? '127.0.0.1', port: sock.remotePort ?? 0 };
    spliceWhenOpen(sock, tunnel.openTcp(f.guestIp, f.guestPort, from), (err) => {
      log(`port ${f.hostIp}:${f.hostPort}/tcp: guest refused ${f.guestIp}:${f.guestPort}: ${err.message}`);
    });
  }

  close(): Promise<void> {
    for (const c of this.conns) c.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
