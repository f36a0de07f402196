import { describe, it, expect } from 'vitest';
import { hostsFile, resolvConf, hostnameFile } from './etc-files.ts';

const DEFAULTS =
  '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n';

describe('hostsFile', () => {
  it('writes Docker defaults, extra hosts, then the container entry', () => {
    expect(hostsFile({ hostname: 'abc123', ip: '172.17.0.2', extraHosts: ['db:10.0.0.5', 'v6=::1', 'gw:host-gateway'], hostGateway: '172.17.0.1' })).toBe(
      DEFAULTS + '10.0.0.5\tdb\n::1\tv6\n172.17.0.1\tgw\n172.17.0.2\tabc123\n',
    );
  });
  it('omits the container entry without an ip and adds the fqdn with a domain', () => {
    expect(hostsFile({ hostname: 'h' })).toBe(DEFAULTS);
    expect(hostsFile({ hostname: 'h', domainname: 'example.org', ip: '10.1.0.2' })).toBe(DEFAULTS + '10.1.0.2\th.example.org\th\n');
  });
  it('rejects bad extra hosts', () => {
    expect(() => hostsFile({ hostname: 'h', extraHosts: ['nohost'] })).toThrow(/invalid extra host/);
    expect(() => hostsFile({ hostname: 'h', extraHosts: ['a:notanip'] })).toThrow(/invalid IP address/);
    expect(() => hostsFile({ hostname: 'h', extraHosts: ['a:host-gateway'] })).toThrow(/host-gateway/);
  });
});

describe('resolvConf', () => {
  it('drops loopback and IPv6 nameservers and keeps the rest', () => {
    const host = '# comment\nnameserver 127.0.0.53\nnameserver 10.0.0.1\nnameserver ::1\nnameserver fd00::1\nsearch corp.example\noptions ndots:2\n';
    expect(resolvConf(host)).toBe('# comment\nnameserver 10.0.0.1\nsearch corp.example\noptions ndots:2\n');
    expect(resolvConf(host, { ipv6: true })).toContain('nameserver fd00::1\n');
  });
  it('falls back to Google DNS when nothing usable is left', () => {
    expect(resolvConf('nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n')).toBe(
      'options edns0 trust-ad\nsearch .\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n',
    );
    expect(resolvConf('')).toBe('nameserver 8.8.8.8\nnameserver 8.8.4.4\n');
  });
  it('builds from --dns, --dns-search and --dns-option like Docker', () => {
    expect(resolvConf('nameserver 10.0.0.1\nsearch a.example\n', { dns: ['1.1.1.1'], dnsOptions: ['ndots:1'] })).toBe(
      'search a.example\nnameserver 1.1.1.1\noptions ndots:1\n',
    );
    expect(resolvConf('nameserver 127.0.0.1\n', { dnsSearch: ['x.example'] })).toBe('search x.example\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n');
  });
});

describe('hostnameFile', () => {
  it('is the name and a newline', () => {
    expect(hostnameFile('abc')).toBe('abc\n');
  });
});
