// One published UDP port on the host. Each client address gets its own exec channel running the
// link's UDP relay (datagrams framed on the stream), so replies find their way back; a flow with
// no traffic for a while is closed, like docker-proxy's.
import dgram from 'node:dgram';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { DatagramFramer, LINK_EXEC, type PortForward } from '../../../protocol/src/link.ts';
import type { GuestTunnel } from './guest-tunnel.ts';

const IDLE_MS = 90_000;

interface Flow { channel: Promise<Duplex>; timer: NodeJS.Timeout }

export class UdpForward {
  private readonly flows = new Map<string, Flow>();

  private constructor(private readonly socket: dgram.Socket, private readonly idleMs: number) {}

  static async open(f: PortForward, tunnel: GuestTunnel, log: (l: string) => void, idleMs = IDLE_MS): Promise<UdpForward> {
    const socket = dgram.createSocket({ type: net.isIPv6(f.hostIp) ? 'udp6' : 'udp4', ipv6Only: f.hostIp === '::' });
    const fwd = new UdpForward(socket, idleMs);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(f.hostPort, f.hostIp, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('message', (msg, rinfo) => fwd.onMessage(msg, rinfo, f, tunnel, log));
    socket.on('error', (err) => log(`port ${f.hostIp}:${f.hostPort}/udp: ${err.message}`));
    return fwd;
  }

  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo, f: PortForward, tunnel: GuestTunnel, log: (l: string) => void): void {
    const key = `${rinfo.address}:${rinfo.port}`;
    let flow = this.flows.get(key);
    if (!flow) {
      const channel = tunnel.exec(`${LINK_EXEC.udp} ${f.guestIp} ${f.guestPort}`);
      flow = { channel, timer: setTimeout(() => this.endFlow(key), this.idleMs) };
      this.flows.set(key, flow);
      const framer = new DatagramFramer();
      channel.then((ch) => {
        ch.on('data', (chunk: Buffer) => {
          for (const d of framer.push(chunk)) this.socket.send(d, rinfo.port, rinfo.address);
        });
        ch.on('close', () => this.flows.delete(key));
        ch.on('error', () => {});
      }, (err: Error) => {
        log(`port ${f.hostIp}:${f.hostPort}/udp: relay failed: ${err.message}`);
        this.flows.delete(key);
      });
    }
    flow.timer.refresh();
    flow.channel.then((ch) => ch.write(DatagramFramer.encode(msg)), () => {});
  }

  private endFlow(key: string): void {
    const flow = this.flows.get(key);
    if (!flow) return;
    this.flows.delete(key);
    clearTimeout(flow.timer);
    flow.channel.then((ch) => ch.end(), () => {});
  }

  close(): Promise<void> {
    for (const key of [...this.flows.keys()]) this.endFlow(key);
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
