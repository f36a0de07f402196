// The /etc/hosts, /etc/resolv.conf and /etc/hostname a container gets, byte for byte the way
// Docker (libnetwork's etchosts and resolvconf packages) writes them. Pure text builders.
import net from 'node:net';
import { invalid } from '../errors.ts';

const DEFAULT_HOSTS = [
  ['127.0.0.1', 'localhost'],
  ['::1', 'localhost ip6-localhost ip6-loopback'],
  ['fe00::0', 'ip6-localnet'],
  ['ff00::0', 'ip6-mcastprefix'],
  ['ff02::1', 'ip6-allnodes'],
  ['ff02::2', 'ip6-allrouters'],
];

export interface HostsFileOptions {
  hostname: string;
  domainname?: string;
  /** The container's own address; absent for --network none. */
  ip?: string;
  /** Docker's ExtraHosts: 'name:ip' (or 'name=ip'); 'host-gateway' as ip needs hostGateway. */
  extraHosts?: string[];
  hostGateway?: string;
}

export function hostsFile(opts: HostsFileOptions): string {
  const lines = DEFAULT_HOSTS.map(([ip, names]) => `${ip}\t${names}`);
  for (const entry of opts.extraHosts ?? []) {
    const { name, ip } = parseExtraHost(entry, opts.hostGateway);
    lines.push(`${ip}\t${name}`);
  }
  if (opts.ip) {
    const names = opts.domainname ? `${opts.hostname}.${opts.domainname}\t${opts.hostname}` : opts.hostname;
    lines.push(`${opts.ip}\t${names}`);
  }
  return lines.join('\n') + '\n';
}

function parseExtraHost(entry: string, hostGateway?: string): { name: string; ip: string } {
  // Split on the first ':' or '=' so IPv6 addresses ("host:::1") keep their colons.
  const m = /^([^:=]+)[:=](.+)$/.exec(entry);
  if (!m) throw invalid(`invalid extra host: ${entry}`);
  let ip = m[2].replace(/^\[(.*)\]$/, '$1');
  if (ip === 'host-gateway') {
    if (!hostGateway) throw invalid(`unable to derive the IP value for host-gateway`);
    ip = hostGateway;
  }
  if (net.isIP(ip) === 0) throw invalid(`invalid IP address in add-host: "${m[2]}"`);
  return { name: m[1], ip };
}

export interface ResolvConfOptions {
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  /** Keep IPv6 nameservers (Docker drops them when the network has no IPv6). */
  ipv6?: boolean;
}

const DEFAULT_V4 = ['8.8.8.8', '8.8.4.4'];
const DEFAULT_V6 = ['2001:4860:4860::8888', '2001:4860:4860::8844'];

/**
 * Derives the container's resolv.conf from the host's: loopback nameservers cannot work from
 * another network namespace, so they are dropped, and Google's are used when none remain.
 */
export function resolvConf(hostText: string, opts: ResolvConfOptions = {}): string {
  const hostLines = hostText.split('\n');
  const keep = (ns: string) => !isLoopback(ns) && (opts.ipv6 || !net.isIPv6(stripZone(ns)));
  if (opts.dns?.length || opts.dnsSearch?.length || opts.dnsOptions?.length) {
    return buildResolvConf(
      opts.dns?.length ? opts.dns : withDefaults(nameservers(hostText).filter(keep), opts.ipv6),
      opts.dnsSearch?.length ? opts.dnsSearch : fieldValues(hostLines, 'search'),
      opts.dnsOptions?.length ? opts.dnsOptions : fieldValues(hostLines, 'options'),
    );
  }
  const out = hostLines.filter((line) => {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    return !m || keep(m[1]);
  });
  let text = out.join('\n');
  if (nameservers(text).length === 0) {
    const add = withDefaults([], opts.ipv6).map((ns) => `nameserver ${ns}`).join('\n');
    text = text.replace(/\n*$/, '');
    text = (text === '' ? '' : text + '\n') + add + '\n';
  } else if (!text.endsWith('\n')) {
    text += '\n';
  }
  return text;
}

export function hostnameFile(name: string): string {
  return `${name}\n`;
}

function buildResolvConf(dns: string[], search: string[], options: string[]): string {
  let out = '';
  const s = search.join(' ');
  if (search.length > 0 && s.trim() !== '.') out += `search ${s}\n`;
  for (const ns of dns) out += `nameserver ${ns}\n`;
  const o = options.join(' ');
  if (o.trim() !== '') out += `options ${o}\n`;
  return out;
}

function withDefaults(list: string[], ipv6?: boolean): string[] {
  return list.length > 0 ? list : ipv6 ? [...DEFAULT_V4, ...DEFAULT_V6] : DEFAULT_V4;
}

function nameservers(text: string): string[] {
  return [...text.matchAll(/^\s*nameserver\s+(\S+)/gm)].map((m) => m[1]);
}

function fieldValues(lines: string[], field: string): string[] {
  // As in resolv.conf(5), the last search/options line wins.
  let values: string[] = [];
  for (const line of lines) {
    const parts = line.trim().split(/\s+/);
    if (parts[0] === field) values = parts.slice(1);
  }
  return values;
}

function stripZone(ip: string): string {
  return ip.replace(/%.*$/, '');
}

function isLoopback(ns: string): boolean {
  return /^127\.\d+\.\d+\.\d+$/.test(ns) || stripZone(ns) === '::1';
}
