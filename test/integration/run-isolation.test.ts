// docker run end to end: exit codes, process options, and isolation checked from inside.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { startEngine, type EngineHandle } from '../harness/engine-process.ts';
import { loadFixtures, BUSYBOX, LAYERS } from '../harness/fixtures.ts';

let e: EngineHandle;
beforeAll(async () => {
  e = await startEngine('run');
  await loadFixtures(e);
});
afterAll(async () => e?.stop());

const sh = (script: string, ...opts: string[]) => e.docker(['run', '--rm', ...opts, BUSYBOX, 'sh', '-c', script]);

describe('docker run', () => {
  it('returns the exit code, and 128+n for a signal', async () => {
    expect((await e.docker(['run', '--rm', BUSYBOX, 'true'])).code).toBe(0);
    expect((await e.docker(['run', '--rm', BUSYBOX, 'false'])).code).toBe(1);
    expect((await sh('exit 7')).code).toBe(7);
    // PID 1 ignores signals it has no handler for, as under Docker: kill it from outside.
    const running = e.docker(['run', '--name', 'victim', BUSYBOX, 'sleep', '60']);
    await new Promise((r) => setTimeout(r, 700));
    await e.docker(['kill', 'victim']);
    expect((await running).code).toBe(137);
  });

  it('removes --rm containers afterwards, keeps others', async () => {
    await e.docker(['run', '--rm', '--name', 'gone', BUSYBOX, 'true']);
    await e.docker(['run', '--name', 'kept', BUSYBOX, 'true']);
    const names = (await e.docker(['ps', '-a', '--format', '{{.Names}}'])).stdout;
    expect(names).toContain('kept');
    expect(names).not.toContain('gone');
  });

  it('passes stdout and stderr apart', async () => {
    const r = await sh('echo out; echo err >&2');
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toBe('err\n');
  });

  it('applies -e, --env-file, -w, -u, -h, --entrypoint and -l', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'envf-'));
    await fs.writeFile(path.join(dir, 'env'), 'FROM_FILE=yes\n# comment\n');
    const r = await e.docker([
      'run', '--rm', '-e', 'A=1', '--env-file', path.join(dir, 'env'), '-w', '/tmp', '-u', 'nobody', '-h', 'boxy',
      BUSYBOX, 'sh', '-c', 'echo $A $FROM_FILE $(pwd) $(id -u) $(hostname)',
    ]);
    expect(r.stdout.trim()).toBe('1 yes /tmp 65534 boxy');
    const ep = await e.docker(['run', '--rm', '--entrypoint', 'echo', BUSYBOX, 'via', 'entrypoint']);
    expect(ep.stdout).toBe('via entrypoint\n');
    await e.docker(['run', '-d', '--name', 'labelled', '-l', 'team=core', BUSYBOX, 'true']);
    expect((await e.docker(['inspect', '-f', '{{.Config.Labels.team}}', 'labelled'])).stdout.trim()).toBe('core');
    await fs.rm(dir, { recursive: true });
  });

  it('isolates PID, hostname, mounts and network', async () => {
    const r = await sh('echo pid=$$; ls /proc | grep -c "^[0-9]"; hostname; ls /sys/class/net | tr "\\n" " "', '-h', 'iso');
    const [pid, nprocs, host, nets] = r.stdout.trim().split('\n');
    expect(pid).toBe('pid=1');
    expect(Number(nprocs)).toBeLessThanOrEqual(4);
    expect(host).toBe('iso');
    expect(nets.trim().split(' ').sort()).toEqual(['eth0', 'lo']);
    const none = await sh('ls /sys/class/net', '--network', 'none');
    expect(none.stdout.trim()).toBe('lo');
    const hostNet = await sh('ls /sys/class/net', '--network', 'host');
    expect(hostNet.stdout).toContain('eth0');
    expect(hostNet.stdout.trim().split('\n').length).toBeGreaterThan(2);
  });

  it('writes Docker-like /etc/hosts, /etc/hostname and /etc/resolv.conf, with an address on the bridge', async () => {
    const r = await sh('cat /etc/hostname; cat /etc/hosts; cat /etc/resolv.conf; ip -4 -o addr show eth0; ip route', '-h', 'web1');
    expect(r.stdout).toMatch(/^web1\n/);
    expect(r.stdout).toMatch(/127\.0\.0\.1\s+localhost/);
    expect(r.stdout).toMatch(/172\.31\.\d+\.\d+\s+web1/);
    expect(r.stdout).toMatch(/nameserver/);
    expect(r.stdout).toMatch(/default via 172\.31\.\d+\.1/);
  });

  it('keeps writes in the container layer', async () => {
    await e.docker(['run', '--name', 'writer', LAYERS, 'sh', '-c', 'echo new > /created.txt; rm /hello.txt']);
    const other = await e.docker(['run', '--rm', LAYERS, 'sh', '-c', 'ls /created.txt; cat /hello.txt']);
    expect(other.stdout).not.toContain('/created.txt');
    expect(other.stdout).toContain('hello');
    const dir = (await e.docker(['inspect', '-f', '{{.GraphDriver.Data.UpperDir}}', 'writer'])).stdout.trim();
    expect(await fs.readFile(path.join(dir, 'created.txt'), 'utf8')).toBe('new\n');
  });

  it('applies image layers with whiteouts and opaque directories', async () => {
    const r = await e.docker(['run', '--rm', LAYERS, 'sh', '-c', 'ls /data; ls /opq; cat /hello.txt']);
    expect(r.stdout.split('\n')).toEqual(expect.arrayContaining(['keep.txt', 'new.txt']));
    expect(r.stdout).not.toContain('gone.txt');
    expect(r.stdout).not.toContain('old.txt');
  });

  it('refuses writes with --read-only', async () => {
    const r = await sh('touch /x', '--read-only');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Read-only file system/);
    expect((await sh('touch /tmp/x', '--read-only', '--tmpfs', '/tmp')).code).toBe(0);
  });

  it('puts --memory and --pids-limit in the container cgroup and enforces them', async () => {
    const r = await sh('cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max; cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max', '-m', '32m', '--pids-limit', '20');
    expect(r.stdout.trim().split('\n')).toEqual([String(32 * 1024 * 1024), '20']);
    const cpu = await sh('cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us 2>/dev/null || cat /sys/fs/cgroup/cpu.max', '--cpus', '0.5');
    expect(cpu.stdout.trim().replace(/\s+/g, ' ')).toBe('50000 100000');
    const fork = await sh('for i in $(seq 1 20); do sleep 2 & done; echo spawned', '--pids-limit', '10');
    expect(fork.stderr).toMatch(/can't fork/);
    expect((await sh('for i in $(seq 1 20); do sleep 1 & done; wait; echo spawned')).stdout).toBe('spawned\n');
    const oom = await e.docker(['run', '--name', 'oomer', '-m', '16m', '--memory-swap', '16m', BUSYBOX, 'sh', '-c', 'x=$(head -c 100000000 /dev/zero | tr "\\0" a); echo survived']);
    expect(oom.code).toBe(137);
    expect((await e.docker(['inspect', '-f', '{{.State.OOMKilled}}', 'oomer'])).stdout.trim()).toBe('true');
  });

  it('honours --cap-drop, --cap-add and --privileged', async () => {
    const capEff = async (...o: string[]) => (await sh('grep CapEff /proc/self/status', ...o)).stdout.trim().split(/\s+/)[1];
    const dflt = BigInt('0x' + (await capEff()));
    const dropped = BigInt('0x' + (await capEff('--cap-drop', 'NET_RAW')));
    const added = BigInt('0x' + (await capEff('--cap-add', 'SYS_ADMIN')));
    expect(dflt & (1n << 13n)).not.toBe(0n);
    expect(dropped & (1n << 13n)).toBe(0n);
    expect(added & (1n << 21n)).not.toBe(0n);
    const priv = await sh('ls /dev | wc -l', '--privileged');
    const unpriv = await sh('ls /dev | wc -l');
    expect(Number(priv.stdout)).toBeGreaterThan(Number(unpriv.stdout));
  });

  it('runs an init as PID 1 with --init', async () => {
    const r = await sh('cat /proc/1/cmdline | tr "\\0" " "', '--init');
    expect(r.stdout).toContain('docker-init');
  });
});
