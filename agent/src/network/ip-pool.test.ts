import { describe, it, expect } from 'vitest';
import { IpPool, macFromIp, ipToInt, intToIp } from './ip-pool.ts';

describe('IpPool', () => {
  it('derives gateway and canonical subnet', () => {
    const p = new IpPool('172.29.5.7/16');
    expect(p.canonical).toBe('172.29.0.0/16');
    expect(p.gateway).toBe('172.29.0.1');
    expect(p.prefixLen).toBe(16);
  });
  it('allocates after the last lease, wraps, and reports full', () => {
    const p = new IpPool('10.9.0.0/29'); // hosts .2 - .6 for containers
    expect(p.allocate(new Set())).toBe('10.9.0.2');
    expect(p.allocate(new Set(['10.9.0.2']), '10.9.0.2')).toBe('10.9.0.3');
    expect(p.allocate(new Set(['10.9.0.3']), '10.9.0.6')).toBe('10.9.0.2');
    expect(p.allocate(new Set(['10.9.0.2', '10.9.0.3', '10.9.0.4', '10.9.0.5', '10.9.0.6']), '10.9.0.4')).toBeUndefined();
    expect(p.contains('10.9.0.1')).toBe(false);
    expect(p.contains('10.9.0.7')).toBe(false);
  });
  it('rejects bad subnets', () => {
    expect(() => new IpPool('10.0.0.0')).toThrow(/invalid subnet/);
    expect(() => new IpPool('10.0.0.0/31')).toThrow(/invalid subnet/);
    expect(() => new IpPool('300.0.0.0/24')).toThrow(/invalid IPv4/);
  });
  it('converts addresses and derives Docker-style MACs', () => {
    expect(intToIp(ipToInt('255.1.2.3'))).toBe('255.1.2.3');
    expect(macFromIp('172.17.0.2')).toBe('02:42:ac:11:00:02');
  });
});
