import { describe, it, expect, afterEach } from 'vitest';
import net from 'node:net';
import dgram from 'node:dgram';
import { PortProxy, openAll } from './port-proxy.ts';
import { isEngineError } from '../errors.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function tcpEchoServer(): Promise<number> {
  // Echoes data, and answers the client's FIN with "bye" before closing: proves half-close works.
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    s.on('data', (d) => s.write(d));
    s.on('end', () => s.end('bye'));
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return (server.address() as net.AddressInfo).port;
}

async function udpEchoServer(): Promise<number> {
  const sock = dgram.createSocket('udp4');
  sock.on('message', (m, r) => sock.send(Buffer.concat([Buffer.from('echo:'), m]), r.port, r.address));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => sock.close(() => r())));
  return sock.address().port;
}

function tcpRoundTrip(port: number, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    let got = '';
    c.on('data', (d) => {
      got += d.toString();
      if (got === payload) c.end(); // half-close: we still expect "bye" back
    });
    c.on('end', () => resolve(got));
    c.on('error', reject);
    c.on('connect', () => c.write(payload));
  });
}

describe('PortProxy tcp', () => {
  it('relays data and half-closes, picking a free port for hostPort 0', async () => {
    const target = await tcpEchoServer();
    const p = await PortProxy.open({ proto: 'tcp', hostIp: '127.0.0.1', hostPort: 0, containerIp: '127.0.0.1', containerPort: target });
    cleanups.push(() => p.close());
    expect(p.hostPort).toBeGreaterThan(0);
    expect(p.binding.hostPort).toBe(p.hostPort);
    expect(await tcpRoundTrip(p.hostPort, 'hello')).toBe('hellobye');
    const big = 'x'.repeat(1 << 20);
    expect(await tcpRoundTrip(p.hostPort, big)).toBe(big + 'bye');
  });

  it('closes the client when the container refuses', async () => {
    const dead = await new Promise<number>((r) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as net.AddressInfo).port;
        s.close(() => r(port));
      });
    });
    const p = await PortProxy.open({ proto: 'tcp', hostIp: '', hostPort: 0, containerIp: '127.0.0.1', containerPort: dead });
    cleanups.push(() => p.close());
    const closed = await new Promise<boolean>((resolve) => {
      const c = net.connect(p.hostPort, '127.0.0.1');
      c.on('error', () => undefined);
      c.on('close', () => resolve(true));
    });
    expect(closed).toBe(true);
  });

  it('reports a taken port with Docker text, and frees the port on close', async () => {
    const target = await tcpEchoServer();
    const a = await PortProxy.open({ proto: 'tcp', hostIp: '', hostPort: 0, containerIp: '127.0.0.1', containerPort: target });
    const port = a.hostPort;
    const err = await PortProxy.open({ proto: 'tcp', hostIp: '', hostPort: port, containerIp: '127.0.0.1', containerPort: target }).catch((e) => e);
    expect(isEngineError(err, 'Conflict')).toBe(true);
    expect(err.message).toBe(`Bind for 0.0.0.0:${port} failed: port is already allocated`);
    await a.close();
    const b = await PortProxy.open({ proto: 'tcp', hostIp: '127.0.0.1', hostPort: port, containerIp: '127.0.0.1', containerPort: target });
    cleanups.push(() => b.close());
    expect(b.hostPort).toBe(port);
  });

  it('picks the first free port of a host range', async () => {
    const target = await tcpEchoServer();
    const a = await PortProxy.open({ proto: 'tcp', hostIp: '127.0.0.1', hostPort: 0, containerIp: '127.0.0.1', containerPort: target });
    cleanups.push(() => a.close());
    const b = await PortProxy.open({ proto: 'tcp', hostIp: '127.0.0.1', hostPort: a.hostPort, hostPortEnd: a.hostPort + 5, containerIp: '127.0.0.1', containerPort: target });
    cleanups.push(() => b.close());
    expect(b.hostPort).toBeGreaterThan(a.hostPort);
    expect(b.binding.hostPortEnd).toBeUndefined();
  });
});

describe('PortProxy udp', () => {
  it('relays datagrams both ways per client', async () => {
    const target = await udpEchoServer();
    const p = await PortProxy.open({ proto: 'udp', hostIp: '127.0.0.1', hostPort: 0, containerIp: '127.0.0.1', containerPort: target });
    cleanups.push(() => p.close());
    const ask = async (msg: string) => {
      const c = dgram.createSocket('udp4');
      try {
        return await new Promise<string>((resolve) => {
          c.on('message', (m) => resolve(m.toString()));
          c.send(msg, p.hostPort, '127.0.0.1');
        });
      } finally {
        c.close();
      }
    };
    expect(await ask('one')).toBe('echo:one');
    expect(await ask('two')).toBe('echo:two');
  });

  it('reports a taken udp port as a conflict', async () => {
    const target = await udpEchoServer();
    const a = await PortProxy.open({ proto: 'udp', hostIp: '127.0.0.1', hostPort: 0, containerIp: '127.0.0.1', containerPort: target });
    cleanups.push(() => a.close());
    const err = await PortProxy.open({ proto: 'udp', hostIp: '127.0.0.1', hostPort: a.hostPort, containerIp: '127.0.0.1', containerPort: target }).catch((e) => e);
    expect(err.message).toBe(`Bind for 127.0.0.1:${a.hostPort} failed: port is already allocated`);
  });
});

describe('openAll', () => {
  it('is all-or-nothing', async () => {
    const target = await tcpEchoServer();
    const taken = await PortProxy.open({ proto: 'tcp', hostIp: '127.0.0.1', hostPort: 0, containerIp: '127.0.0.1', containerPort: target });
    cleanups.push(() => taken.close());
    const free = await new Promise<number>((r) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as net.AddressInfo).port;
        s.close(() => r(port));
      });
    });
    const err = await openAll([
      { proto: 'tcp', hostIp: '127.0.0.1', hostPort: free, containerIp: '127.0.0.1', containerPort: target },
      { proto: 'tcp', hostIp: '127.0.0.1', hostPort: taken.hostPort, containerIp: '127.0.0.1', containerPort: target },
    ]).catch((e) => e);
    expect(isEngineError(err, 'Conflict')).toBe(true);
    // The first one was closed again, so its port can be bound.
    const again = await PortProxy.open({ proto: 'tcp', hostIp: '127.0.0.1', hostPort: free, containerIp: '127.0.0.1', containerPort: target });
    await again.close();
    const ok = await openAll([{ proto: 'udp', hostIp: '127.0.0.1', hostPort: 0, containerIp: '127.0.0.1', containerPort: 9 }]);
    expect(ok).toHaveLength(1);
    await ok[0].close();
  });
});
