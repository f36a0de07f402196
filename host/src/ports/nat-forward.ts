// One published port on the NAT path: QEMU listens on the host IP:port the user asked for and
// hands connections (and datagrams) to the guest's uplink, where GuestNat's DNAT sends them to the
// container. Used for IPv4 host addresses when the VM driver can add host forwards at run time.
import dgram from 'node:dgram';
import net from 'node:net';
import type { PortForward } from '../../../protocol/src/link.ts';
import type { GuestNat, NatTarget } from './guest-nat.ts';
import { listenOptions } from './guest-tunnel.ts';

export interface HostForwardRule { proto: 'tcp' | 'udp'; hostIp: string; hostPort: number; guestPort: number }

export interface NatPath {
  guest: GuestNat;
  /** Adds (on) or removes a host listener that forwards into the guest (QEMU: hostfwd_add/remove). */
  hostForward(rule: HostForwardRule, on: boolean): Promise<void>;
}

export class NatForward {
  private constructor(private readonly rule: HostForwardRule, private readonly path: NatPath, private readonly log: (l: string) => void) {}

  static async open(f: PortForward & NatTarget, path: NatPath, log: (l: string) => void): Promise<NatForward> {
    // QEMU's own refusal is one line of text; binding here first gives the real reason (in use,
    // no such address) the link path reports too. QEMU binds right after, with SO_REUSEADDR.
    await probeBind(f);
    const rule: HostForwardRule = { proto: f.proto, hostIp: f.hostIp, hostPort: f.hostPort, guestPort: f.hostPort };
    await path.guest.add(f);
    try {
      await path.hostForward(rule, true);
    } catch (err) {
      await path.guest.remove(f).catch(() => {});
      throw err;
    }
    return new NatForward(rule, path, log);
  }

  async close(): Promise<void> {
    const where = `${this.rule.hostIp}:${this.rule.hostPort}/${this.rule.proto}`;
    await this.path.hostForward(this.rule, false).catch((err: Error) => this.log(`port ${where}: removing the host forward: ${err.message}`));
    await this.path.guest.remove(this.rule).catch((err: Error) => this.log(`port ${where}: ${err.message}`));
  }
}

function probeBind(f: PortForward): Promise<void> {
  return new Promise((resolve, reject) => {
    if (f.proto === 'udp') {
      const s = dgram.createSocket('udp4');
      s.once('error', reject);
      s.bind(f.hostPort, f.hostIp, () => s.close(() => resolve()));
      return;
    }
    const s = net.createServer();
    s.once('error', reject);
    s.listen(listenOptions(f.hostIp, f.hostPort), () => s.close(() => resolve()));
  });
}
