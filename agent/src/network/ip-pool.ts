// IPv4 address management for one subnet: the gateway is the first host address, containers get
// the following ones. Allocation continues after the last address handed out (like libnetwork)
// so a released address is not reused at once while peers may still have it in their ARP cache.
// Pure: the caller persists `leased` and `last`.
import { invalid } from '../errors.ts';

export function ipToInt(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw invalid(`invalid IPv4 address: ${ip}`);
  }
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Docker derives container MACs from the IPv4 address: 02:42 followed by its four bytes. */
export function macFromIp(ip: string): string {
  const n = ipToInt(ip);
  const bytes = [0x02, 0x42, n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export class IpPool {
  readonly network: number;
  readonly prefixLen: number;
  readonly gateway: string;
  private readonly first: number;
  private readonly lastHost: number;

  constructor(readonly subnet: string) {
    const m = /^([\d.]+)\/(\d{1,2})$/.exec(subnet);
    const prefix = m ? Number(m[2]) : NaN;
    if (!m || prefix < 8 || prefix > 30) throw invalid(`invalid subnet: ${subnet}`);
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    this.network = (ipToInt(m[1]) & mask) >>> 0;
    this.prefixLen = prefix;
    this.gateway = intToIp(this.network + 1);
    this.first = this.network + 2;
    this.lastHost = this.network + 2 ** (32 - prefix) - 2;
  }

  get canonical(): string {
    return `${intToIp(this.network)}/${this.prefixLen}`;
  }

  contains(ip: string): boolean {
    const n = ipToInt(ip);
    return n >= this.first && n <= this.lastHost;
  }

  /** The next free address after `last` (wrapping), or undefined when the subnet is full. */
  allocate(leased: Set<string>, last?: string): string | undefined {
    const size = this.lastHost - this.first + 1;
    const start = last && this.contains(last) ? ipToInt(last) + 1 - this.first : 0;
    for (let i = 0; i < size; i++) {
      const ip = intToIp(this.first + ((start + i) % size));
      if (!leased.has(ip)) return ip;
    }
    return undefined;
  }
}
