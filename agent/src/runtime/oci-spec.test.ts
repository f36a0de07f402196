import { describe, expect, it } from 'vitest';
import { buildSpec, DEFAULT_DEVICE_RULES, MASKED_PATHS, READONLY_PATHS, type SpecInput } from './oci-spec.ts';
import { ALL_CAPABILITIES, DEFAULT_CAPABILITIES } from './capabilities.ts';
import { isEngineError } from '../errors.ts';

function input(over: Partial<SpecInput> = {}): SpecInput {
  return {
    rootfs: '/r', readonlyRootfs: false, args: ['sh'], env: ['PATH=/bin'], cwd: '/', tty: false, openStdin: false,
    user: { uid: 0, gid: 0, additionalGids: [] }, hostname: 'abc', capAdd: [], capDrop: [], privileged: false,
    network: { mode: 'none' }, mounts: [], cgroupsPath: '/berth/x', resources: {}, rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 4096 }],
    ...over,
  };
}

describe('buildSpec', () => {
  it('writes Docker defaults', () => {
    const s = buildSpec(input());
    expect(s.ociVersion).toBe('1.0.2');
    expect(s.process.args).toEqual(['sh']);
    expect(s.process.capabilities.bounding).toEqual([...DEFAULT_CAPABILITIES]);
    expect(s.process.capabilities.effective).toContain('CAP_NET_RAW');
    expect(s.process.rlimits).toEqual([{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 4096 }]);
    expect(s.root).toEqual({ path: '/r', readonly: false });
    expect(s.hostname).toBe('abc');
    expect(s.linux.maskedPaths).toEqual(MASKED_PATHS);
    expect(s.linux.readonlyPaths).toEqual(READONLY_PATHS);
    expect(s.linux.resources.devices).toEqual(DEFAULT_DEVICE_RULES);
    expect(s.linux.resources.devices[0]).toEqual({ allow: false, access: 'rwm' });
    expect(s.linux.cgroupsPath).toBe('/berth/x');
    expect(s.mounts.map((m) => m.destination)).toEqual(['/proc', '/dev', '/dev/pts', '/sys', '/sys/fs/cgroup', '/dev/mqueue', '/dev/shm']);
    expect(s.mounts.find((m) => m.destination === '/dev/pts')!.options).toEqual(expect.arrayContaining(['newinstance', 'ptmxmode=0666', 'gid=5']));
    expect(s.mounts.find((m) => m.destination === '/dev/shm')!.options).toContain('size=67108864');
    expect(s.mounts.find((m) => m.destination === '/sys')!.options).toContain('ro');
    expect(s.mounts.find((m) => m.destination === '/sys/fs/cgroup')).toMatchObject({ type: 'cgroup', options: expect.arrayContaining(['ro']) });
    expect(s.linux.sysctl).toBeUndefined();
    expect(s.linux.devices).toBeUndefined();
  });

  it('creates namespaces per network mode', () => {
    const types = (n: SpecInput['network']) => buildSpec(input({ network: n })).linux.namespaces;
    expect(types({ mode: 'none' }).map((n) => n.type).sort()).toEqual(['cgroup', 'ipc', 'mount', 'network', 'pid', 'uts']);
    expect(types({ mode: 'host' }).map((n) => n.type)).not.toContain('network');
    expect(types({ mode: 'path', path: '/run/netns/x' })).toContainEqual({ type: 'network', path: '/run/netns/x' });
  });

  it('joins or shares pid and ipc namespaces', () => {
    const ns = buildSpec(input({ pid: { mode: 'host' }, ipc: { mode: 'path', path: '/proc/9/ns/ipc' } })).linux.namespaces;
    expect(ns.map((n) => n.type)).not.toContain('pid');
    expect(ns).toContainEqual({ type: 'ipc', path: '/proc/9/ns/ipc' });
  });

  it('maps memory, swap, cpu and pids limits', () => {
    const r = (res: SpecInput['resources'], swap?: boolean) => buildSpec(input({ resources: res, swapLimitSupported: swap })).linux.resources;
    expect(r({ memory: 8 << 20 }).memory).toEqual({ limit: 8 << 20, swap: 16 << 20 });
    expect(r({ memory: 8 << 20, memorySwap: -1 }).memory).toEqual({ limit: 8 << 20, swap: -1 });
    expect(r({ memory: 8 << 20, memorySwap: 10 << 20 }).memory).toEqual({ limit: 8 << 20, swap: 10 << 20 });
    expect(r({ memory: 8 << 20 }, false).memory).toEqual({ limit: 8 << 20 });
    expect(r({}).memory).toBeUndefined();
    expect(r({ nanoCpus: 1.5e9 }).cpu).toEqual({ period: 100000, quota: 150000 });
    expect(r({ nanoCpus: 0.01e9, cpuShares: 512 }).cpu).toEqual({ period: 100000, quota: 1000, shares: 512 });
    expect(r({ cpuQuota: 5000, cpuPeriod: 50000, cpusetCpus: '0' }).cpu).toEqual({ quota: 5000, period: 50000, cpus: '0' });
    expect(r({ pidsLimit: 10 }).pids).toEqual({ limit: 10 });
    expect(r({ pidsLimit: -1 }).pids).toBeUndefined();
    expect(r({ pidsLimit: 0 }).pids).toBeUndefined();
  });

  it('adds and drops capabilities the way Docker does', () => {
    const caps = (o: Partial<SpecInput>) => buildSpec(input(o)).process.capabilities.bounding;
    expect(caps({ capAdd: ['net_admin'] })).toContain('CAP_NET_ADMIN');
    expect(caps({ capAdd: ['CAP_SYS_ADMIN'], capDrop: ['chown'] })).toEqual(expect.arrayContaining(['CAP_SYS_ADMIN']));
    expect(caps({ capDrop: ['chown'] })).not.toContain('CAP_CHOWN');
    expect(caps({ capDrop: ['ALL'] })).toEqual([]);
    expect(caps({ capDrop: ['all'], capAdd: ['NET_BIND_SERVICE'] })).toEqual(['CAP_NET_BIND_SERVICE']);
    expect(caps({ capAdd: ['ALL'] })).toEqual([...ALL_CAPABILITIES]);
    expect(caps({ capAdd: ['ALL'], capDrop: ['MKNOD'] })).toEqual(ALL_CAPABILITIES.filter((c) => c !== 'CAP_MKNOD'));
    expect(caps({ capAdd: ['CHOWN'] }).filter((c) => c === 'CAP_CHOWN')).toHaveLength(1);
  });

  it('rejects unknown capabilities with Docker message', () => {
    let err: unknown;
    try {
      buildSpec(input({ capAdd: ['foo'] }));
    } catch (e) {
      err = e;
    }
    expect(isEngineError(err, 'InvalidArgument')).toBe(true);
    expect((err as Error).message).toBe('unknown capability: "CAP_FOO"');
  });

  it('privileged gets everything and no masking', () => {
    const dev = { path: '/dev/sda', type: 'b' as const, major: 8, minor: 0, fileMode: 0o660, uid: 0, gid: 6 };
    const s = buildSpec(input({ privileged: true, capDrop: ['ALL'], hostDevices: [dev] }));
    expect(s.process.capabilities.bounding).toEqual([...ALL_CAPABILITIES]);
    expect(s.linux.maskedPaths).toEqual([]);
    expect(s.linux.readonlyPaths).toEqual([]);
    expect(s.linux.resources.devices).toEqual([{ allow: true, access: 'rwm' }]);
    expect(s.linux.devices).toEqual([dev]);
    expect(s.mounts.find((m) => m.destination === '/sys')!.options).not.toContain('ro');
  });

  it('user mounts replace defaults and are sorted parents first', () => {
    const s = buildSpec(input({
      mounts: [
        { destination: '/data/sub', type: 'bind', source: '/h/b', options: ['rbind'] },
        { destination: '/data/', type: 'bind', source: '/h/a', options: ['rbind', 'ro'] },
        { destination: '/dev/shm', type: 'bind', source: '/h/shm', options: ['rbind'] },
      ],
    }));
    const dests = s.mounts.map((m) => m.destination);
    expect(dests.filter((d) => d === '/dev/shm')).toHaveLength(1);
    expect(s.mounts.find((m) => m.destination === '/dev/shm')!.source).toBe('/h/shm');
    expect(dests.indexOf('/data')).toBeLessThan(dests.indexOf('/data/sub'));
    expect(dests.slice(0, 6)).toEqual(['/proc', '/dev', '/dev/pts', '/sys', '/sys/fs/cgroup', '/dev/mqueue']);
  });

  it('init wraps args and binds docker-init', () => {
    const s = buildSpec(input({ init: true, args: ['sleep', '1'] }));
    expect(s.process.args).toEqual(['/sbin/docker-init', '--', 'sleep', '1']);
    expect(s.mounts).toContainEqual({ destination: '/sbin/docker-init', type: 'bind', source: '/usr/bin/docker-init', options: ['rbind', 'ro'] });
  });

  it('carries tty, user, sysctls, oom score, readonly root', () => {
    const s = buildSpec(input({
      tty: true, consoleSize: { cols: 100, rows: 30 }, user: { uid: 1000, gid: 100, additionalGids: [5] },
      sysctls: { 'net.ipv4.ip_forward': '1' }, oomScoreAdj: 500, readonlyRootfs: true, cwd: '',
    }));
    expect(s.process.terminal).toBe(true);
    expect(s.process.consoleSize).toEqual({ height: 30, width: 100 });
    expect(s.process.user).toEqual({ uid: 1000, gid: 100, additionalGids: [5] });
    expect(s.process.cwd).toBe('/');
    expect(s.process.oomScoreAdj).toBe(500);
    expect(s.linux.sysctl).toEqual({ 'net.ipv4.ip_forward': '1' });
    expect(s.root.readonly).toBe(true);
  });

  it('does not share arrays with the input', () => {
    const inp = input();
    const s = buildSpec(inp);
    s.process.env.push('X=1');
    expect(inp.env).toEqual(['PATH=/bin']);
  });
});

describe('buildSpec optional fields', () => {
  it('omits hostname and rlimits when not given', () => {
    const s = buildSpec({
      rootfs: '/r', readonlyRootfs: false, args: ['sh'], env: [], cwd: '/', tty: false, openStdin: false,
      user: { uid: 0, gid: 0, additionalGids: [] }, capAdd: [], capDrop: [], privileged: false,
      network: { mode: 'host' }, mounts: [], cgroupsPath: '/berth/x', resources: {},
    });
    expect(s.hostname).toBeUndefined();
    expect(s.process.rlimits).toBeUndefined();
  });
});
