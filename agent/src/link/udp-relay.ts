// Guest end of a UDP forward: datagrams arrive framed on an exec channel (DatagramFramer), go to
// ip:port from one connected socket, and the replies travel back the same way.
import dgram from 'node:dgram';
import net from 'node:net';
import type { ServerChannel } from 'ssh2';
import { DatagramFramer } from '../../../protocol/src/link-wire.ts';

export function relayUdp(channel: ServerChannel, ip: string | undefined, port: number): void {
  if (!ip || !net.isIP(ip) || !Number.isInteger(port) || port < 1 || port > 65535) {
    channel.stderr.write('berth link: usage: berth:udp <ip> <port>\n');
    channel.exit(2);
    channel.end();
    return;
  }
  const socket = dgram.createSocket(net.isIPv6(ip) ? 'udp6' : 'udp4');
  const framer = new DatagramFramer();
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    socket.close();
    channel.end();
  };
  socket.on('message', (msg) => channel.write(DatagramFramer.encode(msg)));
  socket.on('error', close);
  channel.on('data', (chunk: Buffer) => {
    for (const d of framer.push(chunk)) socket.send(d, port, ip);
  });
  channel.on('close', close);
  channel.on('end', close);
}
