// The userland proxy behind published ports (Docker's docker-proxy). It listens on the host and
// relays to the container's address, so published ports also work for 127.0.0.1 clients, where
// DNAT would never see the packet. It runs inside the per-container shim, so it uses Node
// built-ins and ../errors.ts only.
import net from 'node:net';
import dgram from 'node:dgram';
import { conflict, internal } from '../errors.ts';

export interface PortBinding {
  proto: 'tcp' | 'udp';
  /** '' or '0.0.0.0' = all IPv4 addresses; '::' = all addresses. */
  hostIp: string;
  /** 0 = pick a free port. */
  hostPort: number;
  /** When set, hostPort..hostPortEnd is a range to pick the first free port from (`-p 8000-8010:80`). */
  hostPortEnd?: number;
  containerIp: string;
  containerPort: number;
}

/** Docker's docker-proxy keeps a UDP flow for 90 s without traffic. */
const UDP_IDLE_MS = 90_000;

export class PortProxy {
  private constructor(
    readonly binding: PortBinding,
    private readonly stopper: () => Promise<void>,
  ) {}

  get hostPort(): number {
    return this.binding.hostPort;
  }

  static async open(b: PortBinding, opts: { udpIdleMs?: number } = {}): Promise<PortProxy> {
    const host = listenHost(b.hostIp);
    const first = b.hostPort;
    const last = b.hostPortEnd !== undefined && b.hostPortEnd > first ? b.hostPortEnd : first;
    for (let port = first; port <= last; port++) {
      try {
        const opened =
          b.proto === 'tcp' ? await openTcp(host, port, b) : await openUdp(host, port, b, opts.udpIdleMs ?? UDP_IDLE_MS);
        const { hostPortEnd: _range, ...rest } = b;
        return new PortProxy({ ...rest, hostPort: opened.port }, opened.close);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'EADDRINUSE' && code !== 'EACCES') {
          throw internal(`failed to listen on ${b.hostIp || '0.0.0.0'}:${port}/${b.proto}: ${(e as Error).message}`, e);
        }
      }
    }
    const ports = last === first ? `${first}` : `${first}-${last}`;
    throw conflict(`Bind for ${b.hostIp || '0.0.0.0'}:${ports} failed: port is already allocated`);
  }

  close(): Promise<void> {
    return this.stopper();
  }
}

/** Opens every binding or none: on any failure the ones already opened are closed again. */
export async function openAll(bindings: PortBinding[]): Promise<PortProxy[]> {
  const opened: PortProxy[] = [];
  try {
    for (const b of bindings) opened.push(await PortProxy.open(b));
    return opened;
  } catch (e) {
    await Promise.allSettled(opened.map((p) => p.close()));
    throw e;
  }
}

function listenHost(hostIp: string): string {
  const ip = hostIp.replace(/^\[(.*)\]$/, '$1');
  return ip === '' ? '0.0.0.0' : ip;
}

interface Opened {
  port: number;
  close: () => Promise<void>;
}

async function openTcp(host: string, port: number, b: PortBinding): Promise<Opened> {
  const live = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => {
    relayTcp(client, b, live);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Errors after listen (e.g. EMFILE on accept) must not crash the shim.
  server.on('error', () => undefined);
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of live) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function relayTcp(client: net.Socket, b: PortBinding, live: Set<net.Socket>): void {
  const upstream = net.connect({ host: b.containerIp, port: b.containerPort, allowHalfOpen: true });
  live.add(client);
  live.add(upstream);
  // An error (RST, refused, unreachable) on either side tears down both; a FIN only half-closes.
  const kill = () => {
    client.destroy();
    upstream.destroy();
  };
  for (const s of [client, upstream]) {
    s.on('error', kill);
    s.on('close', (hadError) => {
      live.delete(s);
      if (hadError) kill();
    });
  }
  upstream.once('connect', () => {
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    // pipe() calls end() on the other side when this side ends: a FIN is relayed as a FIN, and
    // with allowHalfOpen the reverse direction keeps flowing until it ends too.
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  });
}

interface Flow {
  up: dgram.Socket;
  timer: NodeJS.Timeout;
  connected: boolean;
  pending: Buffer[];
}

async function openUdp(host: string, port: number, b: PortBinding, idleMs: number): Promise<Opened> {
  const family = net.isIPv6(host) ? 'udp6' : 'udp4';
  const sock = dgram.createSocket({ type: family, reuseAddr: false });
  await new Promise<void>((resolve, reject) => {
    sock.once('error', (e) => {
      sock.close();
      reject(e);
    });
    sock.bind({ address: host, port, exclusive: true }, () => {
      sock.removeAllListeners('error');
      resolve();
    });
  });
  const flows = new Map<string, Flow>();
  const upFamily = net.isIPv6(b.containerIp) ? 'udp6' : 'udp4';
  const drop = (key: string) => {
    const f = flows.get(key);
    if (!f) return;
    flows.delete(key);
    clearTimeout(f.timer);
    f.up.close();
  };
  sock.on('error', () => undefined);
  sock.on('message', (msg, rinfo) => {
    const key = `${rinfo.address}|${rinfo.port}`;
    let f = flows.get(key);
    if (!f) {
      const up = dgram.createSocket(upFamily);
      const flow: Flow = { up, timer: setTimeout(() => drop(key), idleMs), connected: false, pending: [] };
      f = flow;
      flows.set(key, flow);
      up.on('message', (reply) => {
        const cur = flows.get(key);
        if (cur) cur.timer.refresh();
        sock.send(reply, rinfo.port, rinfo.address);
      });
      // ICMP port unreachable from the container shows up as an error on the connected socket.
      up.on('error', () => drop(key));
      up.connect(b.containerPort, b.containerIp, () => {
        flow.connected = true;
        for (const m of flow.pending.splice(0)) up.send(m);
      });
    }
    f.timer.refresh();
    if (f.connected) f.up.send(msg);
    else f.pending.push(msg);
  });
  return {
    port: sock.address().port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const key of [...flows.keys()]) drop(key);
        sock.close(() => resolve());
      }),
  };
}
