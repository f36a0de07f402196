// The guest half of the NAT path for published ports: an nftables table of the host agent's own
// in the guest, with one map per protocol from the port arriving on the uplink (where QEMU's
// user-mode network delivers what its host forwards accept) to the container's address and port.
// The kernel does the rest, so no Node process in the guest touches the bytes (under TCG the
// engine's userland proxy and the ssh link each cost several times the kernel's throughput).
import net from 'node:net';
import { GUEST_UPLINK, type PortForward } from '../../../protocol/src/link.ts';
import type { GuestTunnel } from './guest-tunnel.ts';

const TABLE = 'berth_ports';

const SCRIPT = `table ip ${TABLE}
delete table ip ${TABLE}
table ip ${TABLE} {
  map tcp_dnat { type inet_service : ipv4_addr . inet_service; }
  map udp_dnat { type inet_service : ipv4_addr . inet_service; }
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    iifname "${GUEST_UPLINK}" dnat ip to tcp dport map @tcp_dnat
    iifname "${GUEST_UPLINK}" dnat ip to udp dport map @udp_dnat
  }
}
`;

export type NatTarget = Required<Pick<PortForward, 'proto' | 'hostPort' | 'containerIp' | 'containerPort'>>;

export class GuestNat {
  constructor(private readonly tunnel: Pick<GuestTunnel, 'exec'>) {}

  /** (Re)creates the table empty: what a previous host agent left is gone. */
  reset(): Promise<void> {
    return this.run('nft -f -', SCRIPT);
  }

  add(t: NatTarget): Promise<void> {
    return this.run(`nft add element ip ${TABLE} ${t.proto}_dnat '{ ${port(t.hostPort)} : ${ipv4(t.containerIp)} . ${port(t.containerPort)} }'`);
  }

  remove(t: Pick<NatTarget, 'proto' | 'hostPort'>): Promise<void> {
    return this.run(`nft delete element ip ${TABLE} ${t.proto}_dnat '{ ${port(t.hostPort)} }'`);
  }

  /** Runs a command in the guest; its exit status comes back as the last line of the output. */
  private async run(command: string, input = ''): Promise<void> {
    const ch = await this.tunnel.exec(`${command} 2>&1; echo "exit=$?"`);
    const chunks: Buffer[] = [];
    ch.on('data', (d: Buffer) => chunks.push(d));
    const done = new Promise<void>((resolve, reject) => {
      ch.on('close', () => resolve());
      ch.on('error', reject);
    });
    ch.end(input);
    await done;
    const out = Buffer.concat(chunks).toString('utf8').trimEnd();
    const status = /exit=(\d+)$/.exec(out);
    if (status?.[1] !== '0') throw new Error(`in the guest, ${command.split(' ').slice(0, 3).join(' ')} failed: ${out.replace(/\n?exit=\d+$/, '').trim() || 'no output'}`);
  }
}

// Both end up in a shell command: only a number and a dotted quad get through.
function port(p: number): number {
  if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`invalid port ${p}`);
  return p;
}
function ipv4(ip: string): string {
  if (!net.isIPv4(ip)) throw new Error(`invalid container address ${ip}`);
  return ip;
}
