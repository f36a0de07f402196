// Registry settings (daemon.json's insecure-registries / registry-mirrors), the credentials a
// client hands over in X-Registry-Auth, and which endpoints (scheme + host) to try for a registry.
import { isIP } from 'node:net';
import { invalid } from '../../errors.ts';
import { defaultDomain } from '../reference.ts';

export interface RegistryConfig {
  /** `host:port`, `host` or CIDR; 127.0.0.0/8 and ::1 are always insecure, as in Docker. */
  insecureRegistries: string[];
  /** Docker Hub mirrors, `http(s)://host[:port]`, tried before the origin. */
  mirrors: string[];
  /** Replaces https://registry-1.docker.io as Docker Hub's origin (tests; air-gapped set-ups). */
  dockerHubOrigin?: string;
}

/** Credentials for one pull/push/login. Held in memory only: never logged or written. */
export interface RegistryAuth {
  username?: string;
  password?: string;
  identityToken?: string;
  registryToken?: string;
  serverAddress?: string;
}

export const defaultRegistryConfig: RegistryConfig = { insecureRegistries: [], mirrors: [] };

/** Docker Hub's API host. */
export const dockerHubHost = 'registry-1.docker.io';

/**
 * X-Registry-Auth: base64url (or plain base64) of `{username, password, serveraddress,
 * identitytoken, registrytoken}`. Empty / `{}` means no credentials; anything undecodable is
 * the client's error.
 */
export function decodeRegistryAuthHeader(header: string | undefined): RegistryAuth | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  let parsed: unknown;
  try {
    const json = Buffer.from(header.trim().replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
    parsed = JSON.parse(json);
  } catch {
    throw invalid('invalid X-Registry-Auth header: not base64url-encoded JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid('invalid X-Registry-Auth header: not a JSON object');
  const o = parsed as Record<string, unknown>;
  const str = (k: string): string | undefined => {
    const v = o[k] ?? o[k.toLowerCase()] ?? o[k[0].toUpperCase() + k.slice(1)];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const auth: RegistryAuth = {
    username: str('username'),
    password: str('password'),
    identityToken: str('identitytoken'),
    registryToken: str('registrytoken'),
    serverAddress: str('serveraddress'),
  };
  // Old clients send a combined `auth` field (base64 "user:pass").
  const combined = str('auth');
  if (combined && auth.username === undefined) {
    const plain = Buffer.from(combined, 'base64').toString('utf8');
    const i = plain.indexOf(':');
    if (i > 0) Object.assign(auth, { username: plain.slice(0, i), password: plain.slice(i + 1) });
  }
  for (const k of Object.keys(auth) as Array<keyof RegistryAuth>) if (auth[k] === undefined) delete auth[k];
  return Object.keys(auth).length ? auth : undefined;
}

/** `host:port` → `host` (brackets stripped from IPv6 literals). */
export function hostOnly(hostPort: string): string {
  if (hostPort.startsWith('[')) return hostPort.slice(1, hostPort.indexOf(']'));
  const i = hostPort.lastIndexOf(':');
  return i > -1 && hostPort.indexOf(':') === i ? hostPort.slice(0, i) : hostPort;
}

/** True when plain http (and unverified TLS) is allowed for this registry host[:port]. */
export function isInsecureRegistry(hostPort: string, config: RegistryConfig): boolean {
  const host = hostOnly(hostPort).toLowerCase();
  if (host === 'localhost' || isLoopback(host)) return true;
  for (const entry of config.insecureRegistries) {
    const e = entry.replace(/^https?:\/\//, '').replace(/\/+$/, '').toLowerCase();
    if (e === hostPort.toLowerCase() || e === host) return true;
    if (e.includes('/') && isIP(host) && inCidr(host, e)) return true;
  }
  return false;
}

function isLoopback(ip: string): boolean {
  return ip === '::1' || (isIP(ip) === 4 && ip.startsWith('127.'));
}

/** IPv4 and IPv6 CIDR membership for IP literals. */
export function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  const a = ipBytes(ip);
  const b = ipBytes(base);
  if (!a || !b || a.length !== b.length || !Number.isInteger(bits) || bits < 0 || bits > a.length * 8) return false;
  for (let i = 0; i < bits; i++) {
    const mask = 0x80 >> (i % 8);
    if ((a[i >> 3] & mask) !== (b[i >> 3] & mask)) return false;
  }
  return true;
}

function ipBytes(ip: string): number[] | undefined {
  if (isIP(ip) === 4) return ip.split('.').map(Number);
  if (isIP(ip) !== 6) return undefined;
  const [head, tail = ''] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  if (!ip.includes('::') && h.length !== 8) return undefined;
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
}

export interface RegistryEndpoint {
  /** `https://registry-1.docker.io` */
  url: string;
  /** Skip TLS verification (insecure registries). */
  insecure: boolean;
  mirror: boolean;
}

/**
 * Where to reach a registry, in the order to try: Docker Hub's mirrors then the origin; an
 * insecure registry over https (unverified) then http; anything else over verified https.
 */
export function registryEndpoints(domain: string, config: RegistryConfig, forPush = false): RegistryEndpoint[] {
  if (domain === defaultDomain) {
    const mirrors = forPush ? [] : config.mirrors.map((m) => {
      const u = new URL(m);
      return { url: `${u.protocol}//${u.host}`, insecure: u.protocol === 'http:' || isInsecureRegistry(u.host, config), mirror: true };
    });
    const origin = config.dockerHubOrigin ? new URL(config.dockerHubOrigin) : undefined;
    const hub = origin
      ? { url: `${origin.protocol}//${origin.host}`, insecure: origin.protocol === 'http:' || isInsecureRegistry(origin.host, config), mirror: false }
      : { url: `https://${dockerHubHost}`, insecure: false, mirror: false };
    return [...mirrors, hub];
  }
  if (isInsecureRegistry(domain, config)) {
    return [
      { url: `https://${domain}`, insecure: true, mirror: false },
      { url: `http://${domain}`, insecure: true, mirror: false },
    ];
  }
  return [{ url: `https://${domain}`, insecure: false, mirror: false }];
}
