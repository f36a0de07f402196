// Validates and normalizes Docker-style port bindings (HostConfig.PortBindings, camelCased) into a
// flat list, with Docker's (go-connections/nat) error texts. Pure.
import net from 'node:net';
import { EngineError, invalid } from '../errors.ts';

export type PortBindingsInput = Record<string, Array<{ hostIp?: string; hostPort?: string }> | null | undefined>;

export interface PortSpec {
  proto: 'tcp' | 'udp';
  /** '' = all addresses. IPv6 addresses come without brackets. */
  hostIp: string;
  /** 0 = pick a free port. */
  hostPort: number;
  /** Set when the host side is a range to pick from for a single container port (`-p 8000-8010:80`). */
  hostPortEnd?: number;
  containerPort: number;
}

export interface PortSpecOptions {
  /** `-P`: publish every exposed port that has no explicit binding on a free host port. */
  publishAll?: boolean;
  /** The image's and container's ExposedPorts keys, like '80/tcp' or '53/udp'. */
  exposedPorts?: Iterable<string>;
}

interface Range {
  start: number;
  end: number;
}

export function parsePortSpecs(bindings: PortBindingsInput | undefined, opts: PortSpecOptions = {}): PortSpec[] {
  const out: PortSpec[] = [];
  const bound = new Set<string>();
  for (const [key, list] of Object.entries(bindings ?? {})) {
    const { proto, range } = parseContainerKey(key);
    for (let p = range.start; p <= range.end; p++) bound.add(`${p}/${proto}`);
    const entries = list && list.length > 0 ? list : [{}];
    for (const entry of entries) out.push(...expandEntry(proto, range, entry));
  }
  if (opts.publishAll) {
    for (const key of opts.exposedPorts ?? []) {
      const { proto, range } = parseContainerKey(key);
      for (let p = range.start; p <= range.end; p++) {
        if (bound.has(`${p}/${proto}`)) continue;
        bound.add(`${p}/${proto}`);
        out.push({ proto, hostIp: '', hostPort: 0, containerPort: p });
      }
    }
  }
  return out;
}

/** Parses a key like '80', '80/tcp', '8000-8001/udp'. */
export function parseContainerKey(key: string): { proto: 'tcp' | 'udp'; range: Range } {
  const parts = key.split('/');
  if (key === '' || parts.length > 2 || parts[0] === '') throw invalid(`invalid port specification: "${key}"`);
  const proto = parseProto(parts[1] ?? 'tcp');
  const range = parseRange(parts[0], 1);
  if (!range) throw invalid(`invalid containerPort: ${parts[0]}`);
  return { proto, range };
}

function parseProto(raw: string): 'tcp' | 'udp' {
  const p = (raw === '' ? 'tcp' : raw).toLowerCase();
  if (p === 'tcp' || p === 'udp') return p;
  if (p === 'sctp') throw new EngineError('NotImplemented', 'publishing sctp ports is not supported');
  throw invalid(`invalid proto: ${raw}`);
}

function expandEntry(proto: 'tcp' | 'udp', range: Range, entry: { hostIp?: string; hostPort?: string }): PortSpec[] {
  const hostIp = parseHostIp(entry.hostIp ?? '');
  const rawHost = (entry.hostPort ?? '').trim();
  // Docker accepts "8080/tcp" as a HostPort and ignores the proto part.
  const hostPart = rawHost.split('/')[0];
  let host: Range = { start: 0, end: 0 };
  if (hostPart !== '') {
    const r = parseRange(hostPart, 0);
    if (!r) throw invalid(`invalid hostPort: ${rawHost}`);
    host = r;
  }
  const containerCount = range.end - range.start;
  const hostCount = host.end - host.start;
  if (hostPart !== '' && containerCount !== hostCount) {
    // A host range for a single container port is the range to allocate from.
    if (containerCount !== 0) {
      throw invalid(`invalid ranges specified for container and host Ports: ${fmtRange(range)} and ${rawHost}`);
    }
    return [{ proto, hostIp, hostPort: host.start, hostPortEnd: host.end, containerPort: range.start }];
  }
  const out: PortSpec[] = [];
  for (let i = 0; i <= containerCount; i++) {
    out.push({ proto, hostIp, hostPort: hostPart === '' ? 0 : host.start + i, containerPort: range.start + i });
  }
  return out;
}

function parseHostIp(raw: string): string {
  const ip = raw.trim().replace(/^\[(.*)\]$/, '$1');
  if (ip !== '' && net.isIP(ip) === 0) throw invalid(`invalid IP address: ${raw}`);
  return ip;
}

function parseRange(raw: string, min: number): Range | undefined {
  const m = /^(\d+)(?:-(\d+))?$/.exec(raw.trim());
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (start < min || end > 65535 || end < start) return undefined;
  return { start, end };
}

function fmtRange(r: Range): string {
  return r.start === r.end ? `${r.start}` : `${r.start}-${r.end}`;
}
