// Integration: the real shim (bundled from source) running runc on a busybox rootfs.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { buildTestShim, makeBundle, removeTestShim, type TestBundle } from '../runtime/test-bundle.ts';
import { readExitFile, ShimConnection, startShim, StartError } from '../runtime/shim-client.ts';
import type { ShimConfig } from '../runtime/shim-config.ts';
import type { SpecInput } from '../runtime/oci-spec.ts';

let shimScript: string;
const bundles: TestBundle[] = [];
beforeAll(async () => {
  shimScript = await buildTestShim();
}, 60_000);
afterAll(removeTestShim);
afterEach(async () => {
  for (const b of bundles.splice(0)) await b.cleanup();
});

async function setup(args: string[], over: Partial<SpecInput> = {}, cfg: Partial<ShimConfig> = {}) {
  const b = await makeBundle(args, over);
  bundles.push(b);
  const config: ShimConfig = {
    id: b.id, bundle: b.dir, runtime: b.runtime.path, runtimeRoot: b.runtime.root, socketPath: path.join(b.dir, 'shim.sock'),
    logPath: path.join(b.dir, 'json.log'), exitPath: path.join(b.dir, 'exit.json'), tty: !!over.tty, openStdin: false,
    stdinOnce: false, cgroupsPath: b.cgroupsPath, cgroupVersion: b.cgroupVersion, ports: [], ...cfg,
  };
  return { b, config };
}

async function run(args: string[], over: Partial<SpecInput> = {}, cfg: Partial<ShimConfig> = {}) {
  const { b, config } = await setup(args, over, cfg);
  const started = await startShim({ shimScript, configPath: path.join(b.dir, 'shim.json'), config });
  const conn = await ShimConnection.connect(config.socketPath);
  return { b, config, started, conn };
}

async function logEntries(file: string) {
  const text = await fs.readFile(file, 'utf8');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { log: string; stream: string; time: string });
}

async function collect(out: AsyncIterable<{ stream: string; data: Buffer }>): Promise<string> {
  let s = '';
  for await (const c of out) s += c.data.toString();
  return s;
}

describe('shim', () => {
  it('runs a container, logs both streams with tags and reports exit', async () => {
    const { config, started, conn } = await run(['sh', '-c', 'echo out; echo err >&2; printf partial']);
    expect(started.pid).toBeGreaterThan(0);
    expect(started.shimPid).toBeGreaterThan(0);
    expect(started.ports).toEqual([]);
    const st = await conn.exited;
    expect(st).toMatchObject({ exitCode: 0, oomKilled: false });
    expect(await readExitFile(config.exitPath)).toEqual(st);
    const entries = await logEntries(config.logPath!);
    expect(entries.map((e) => [e.stream, e.log]).sort()).toEqual([['stderr', 'err\n'], ['stdout', 'out\n'], ['stdout', 'partial']]);
    expect(entries[0].time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
    for (let i = 0; i < 100 && (await fs.access(config.socketPath).then(() => true, () => false)); i++) await new Promise((r) => setTimeout(r, 20));
    await expect(fs.access(config.socketPath)).rejects.toThrow();
  });

  it('reports exit codes: false → 1, killed by signal → 137', async () => {
    const a = await run(['false']);
    expect((await a.conn.exited).exitCode).toBe(1);
    const b = await run(['sh', '-c', 'sh -c "kill -9 \\$\\$"; exit $?']);
    expect((await b.conn.exited).exitCode).toBe(137);
    const c = await run(['sleep', '100']);
    await c.b.runtime.kill(c.b.id, 'KILL');
    expect((await c.conn.exited).exitCode).toBe(137);
  });

  it('rejects a missing command with exit 127 and Docker-like message', async () => {
    const { b, config } = await setup(['nope']);
    const err = await startShim({ shimScript, configPath: path.join(b.dir, 'shim.json'), config }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StartError);
    expect((err as StartError).exitCode).toBe(127);
    expect((err as StartError).kind).toBe('InvalidArgument');
    expect((err as Error).message).toContain('failed to create task for container');
    expect((err as Error).message).toContain('exec: "nope": executable file not found in $PATH');
    expect(await b.runtime.list()).toEqual([]);
  });

  it('streams stdin through attach and closes it on half-close with stdinOnce', async () => {
    const { config, conn } = await run(['sh', '-c', 'cat; echo done'], {}, { openStdin: true, stdinOnce: true });
    const session = await conn.attach({ stdin: true, stdout: true, stderr: true });
    const text = collect(session.output);
    session.input!.write('hello\n');
    session.input!.end('world\n');
    expect(await text).toBe('hello\nworld\ndone\n');
    expect((await conn.exited).exitCode).toBe(0);
    expect((await logEntries(config.logPath!)).map((e) => e.log).join('')).toBe('hello\nworld\ndone\n');
  });

  it('gives a TTY with the initial size and resizes it', async () => {
    const { conn } = await run(
      ['sh', '-c', 'read x; tty; stty size; read y; stty size'],
      { tty: true },
      { openStdin: true, consoleSize: { cols: 100, rows: 30 } },
    );
    const session = await conn.attach({ stdin: true, stdout: true, stderr: true });
    let out = '';
    const done = (async () => {
      for await (const c of session.output) out += c.data.toString();
    })();
    session.input!.write('\n');
    for (let i = 0; i < 200 && !out.includes('30 100'); i++) await new Promise((r) => setTimeout(r, 20));
    conn.resize(120, 40);
    await new Promise((r) => setTimeout(r, 100));
    session.input!.write('\n');
    await done;
    expect(out).toContain('/dev/pts/0');
    expect(out).toContain('30 100');
    expect(out).toContain('40 120');
    expect((await conn.exited).exitCode).toBe(0);
  });

  it('marks an OOM kill', async () => {
    const { conn } = await run(['sh', '-c', 'head -c 50m /dev/zero | tail'], { resources: { memory: 8 * 1024 * 1024 } });
    const st = await conn.exited;
    expect(st.oomKilled).toBe(true);
    expect(st.exitCode).not.toBe(0);
  }, 30_000);

  it('survives its parent being killed', async () => {
    const { b, config } = await setup(['sleep', '100']);
    const configPath = path.join(b.dir, 'shim.json');
    // A throwaway parent starts the shim and is then SIGKILLed.
    const parent = spawn(process.execPath, ['--input-type=module', '-e', `
      import { spawn } from 'node:child_process';
import net from 'node:net';
      import { writeFileSync } from 'node:fs';
      writeFileSync(${JSON.stringify(configPath)}, ${JSON.stringify(JSON.stringify(config))});
      const c = spawn(process.execPath, [${JSON.stringify(shimScript)}, ${JSON.stringify(configPath)}], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
      c.stdout.on('data', (d) => { process.stdout.write(d); });
    `], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((r) => parent.stdout!.once('data', (d: Buffer) => r(d.toString())));
    expect(JSON.parse(line)).toMatchObject({ ok: true });
    parent.kill('SIGKILL');
    await new Promise((r) => parent.once('close', r));
    await new Promise((r) => setTimeout(r, 200));
    const conn = await ShimConnection.connect(config.socketPath);
    expect((await b.runtime.state(b.id)).status).toBe('running');
    await b.runtime.kill(b.id, 'KILL');
    expect((await conn.exited).exitCode).toBe(137);
  });

  it('holds published ports while running and reports conflicts', async () => {
    const binding = { proto: 'tcp' as const, hostIp: '127.0.0.1', hostPort: 0, containerIp: '127.0.0.2', containerPort: 80 };
    const { started, conn } = await run(['sleep', '1'], {}, { ports: [binding] });
    expect(started.ports).toHaveLength(1);
    const port = started.ports[0].hostPort;
    expect(port).toBeGreaterThan(0);
    const { b, config } = await setup(['true'], {}, { ports: [{ ...binding, hostPort: port }] });
    const err = await startShim({ shimScript, configPath: path.join(b.dir, 'shim.json'), config }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'Conflict' });
    expect((err as Error).message).toContain('port is already allocated');
    await conn.exited;
    const free = await new Promise<boolean>((resolve) => {
      const srv = net.createServer().once('error', () => resolve(false)).listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    expect(free).toBe(true);
  });

  it('runs as a user under docker-init with a read-only root', async () => {
    const { config, conn } = await run(['sh', '-c', 'id; cat /proc/1/cmdline | tr "\\0" " "; echo; touch /x || echo ro'], {
      init: true, readonlyRootfs: true, user: { uid: 1000, gid: 1000, additionalGids: [5] },
    });
    expect((await conn.exited).exitCode).toBe(0);
    const out = (await logEntries(config.logPath!)).map((e) => e.log).join('');
    expect(out).toContain('uid=1000 gid=1000 groups=5');
    expect(out).toContain('/sbin/docker-init -- sh -c');
    expect(out).toContain('ro\n');
  });

  it('connect rejects when no shim is there', async () => {
    await expect(ShimConnection.connect('/tmp/berth-no-such-shim.sock')).rejects.toThrow('not running');
  });
});
