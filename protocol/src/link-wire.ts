// The link's names, defaults and framing — no zod here: the guest's link service imports this
// file, and under TCG every kilobyte it loads is start-up time (link.ts adds the JSON schemas).

/** TCP port the guest's link service listens on; QEMU's user-net hostfwd maps a host port here. */
export const LINK_GUEST_PORT = 2222;
/** The guest's address on QEMU's user-mode network (berth-init sets it; QEMU's default DHCP one). */
export const GUEST_NAT_ADDRESS = '10.0.2.15';
/** The guest's uplink, where published-port traffic from the host arrives on the NAT path. */
export const GUEST_UPLINK = 'eth0';
/** The engine's socket inside the guest; the host forwards BERTH_HOME/docker.sock to it. */
export const GUEST_ENGINE_SOCKET = '/run/berth/docker.sock';
/** File holding the one public key (OpenSSH line) the link accepts. */
export const GUEST_AUTHORIZED_KEY = '/run/berth/authorized_key';
/** fw_cfg entry carrying the host's public key into the guest. */
export const FW_CFG_KEY_NAME = 'opt/berth/key';
/** Login name the host uses; the link ignores it (the key is the identity). */
export const LINK_USER = 'berth';

/** Exec commands the link answers itself instead of running a program. */
export const LINK_EXEC = {
  status: 'berth:status',
  /** `berth:udp <ip> <port>`: datagrams relayed as length-prefixed frames (see DatagramFramer). */
  udp: 'berth:udp',
} as const;

/** Frames datagrams on a byte stream: 2-byte big-endian length, then the payload. */
export class DatagramFramer {
  private pending: Buffer = Buffer.alloc(0);

  static encode(payload: Buffer): Buffer {
    const head = Buffer.alloc(2);
    head.writeUInt16BE(payload.length);
    return Buffer.concat([head, payload]);
  }

  /** Feeds stream bytes; returns every datagram completed by them. */
  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: Buffer[] = [];
    while (this.pending.length >= 2) {
      const len = this.pending.readUInt16BE(0);
      if (this.pending.length < 2 + len) break;
      out.push(this.pending.subarray(2, 2 + len));
      this.pending = this.pending.subarray(2 + len);
    }
    return out;
  }
}
