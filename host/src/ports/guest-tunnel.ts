// What the port forwarders need from the link (LinkClient satisfies it; tests can fake it).
import type { Duplex } from 'node:stream';

export interface GuestTunnel {
  openTcp(ip: string, port: number, from?: { ip: string; port: number }): Promise<Duplex>;
  exec(command: string): Promise<Duplex>;
}

/** Listen on the host address as asked; '::' only for IPv6 so it can sit beside 0.0.0.0. */
export function listenOptions(hostIp: string, port: number): { host: string; port: number; ipv6Only: boolean } {
  return { host: hostIp, port, ipv6Only: hostIp === '::' };
}
