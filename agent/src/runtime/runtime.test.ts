// Integration: OciRuntime and exec against a real container run by the shim.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { buildTestShim, makeBundle, removeTestShim, type TestBundle } from './test-bundle.ts';
import { ShimConnection, startShim } from './shim-client.ts';
import { startExec, type ExecProcessSpec } from './exec-process.ts';
import { StartError } from './start-error.ts';
import { DEFAULT_CAPABILITIES } from './capabilities.ts';
import { OciRuntime } from './oci-runtime.ts';

let shimScript: string;
const bundles: TestBundle[] = [];
beforeAll(async () => {
  shimScript = await buildTestShim();
}, 60_000);
afterAll(removeTestShim);
afterEach(async () => {
  for (const b of bundles.splice(0)) await b.cleanup();
});

async function running(args = ['sleep', '100']) {
  const b = await makeBundle(args);
  bundles.push(b);
  const config = {
    id: b.id, bundle: b.dir, runtime: b.runtime.path, runtimeRoot: b.runtime.root, socketPath: path.join(b.dir, 'shim.sock'),
    exitPath: path.join(b.dir, 'exit.json'), tty: false, openStdin: false, stdinOnce: false, cgroupsPath: b.cgroupsPath,
    cgroupVersion: b.cgroupVersion, ports: [],
  };
  const started = await startShim({ shimScript, configPath: path.join(b.dir, 'shim.json'), config });
  const conn = await ShimConnection.connect(config.socketPath);
  return { b, started, conn };
}

const proc = (args: string[], over: Partial<ExecProcessSpec> = {}): ExecProcessSpec => ({
  args, env: ['PATH=/bin'], cwd: '/', user: { uid: 0, gid: 0, additionalGids: [] }, tty: false,
  capabilities: [...DEFAULT_CAPABILITIES], ...over,
});

async function collect(out: AsyncIterable<{ stream: string; data: Buffer }>) {
  const got: Record<string, string> = { stdout: '', stderr: '' };
  for await (const c of out) got[c.stream] += c.data.toString();
  return got;
}

describe('OciRuntime', () => {
  it('probes runc on this hybrid host with our own root', async () => {
    const r = await OciRuntime.probe('/tmp/berth-probe-root-test');
    expect(r.name).toBe('runc');
    expect(r.version).toMatch(/^\d+\.\d+/);
    expect(r.root).toBe('/tmp/berth-probe-root-test');
    await import('node:fs').then((fs) => fs.promises.rm(r.root, { recursive: true, force: true }));
  });

  it('state, ps, list, pause, resume, kill', async () => {
    const { b, started, conn } = await running();
    const rt = b.runtime;
    expect(await rt.state(b.id)).toMatchObject({ id: b.id, pid: started.pid, status: 'running' });
    expect(await rt.ps(b.id)).toEqual([started.pid]);
    expect((await rt.list()).map((s) => s.id)).toEqual([b.id]);
    await rt.pause(b.id);
    expect((await rt.state(b.id)).status).toBe('paused');
    await expect(rt.pause(b.id)).rejects.toThrow();
    await rt.resume(b.id);
    expect((await rt.state(b.id)).status).toBe('running');
    await rt.kill(b.id, 'SIGKILL');
    expect((await conn.exited).exitCode).toBe(137);
    await expect(rt.state(b.id)).rejects.toMatchObject({ kind: 'NotFound' });
    await rt.delete(b.id, true); // already gone: fine
  });
});

describe('startExec', () => {
  it('runs a process with pipes and returns its exit code', async () => {
    const { b } = await running();
    const h = await startExec(b.runtime, b.id, proc(['sh', '-c', 'echo out; echo err >&2; hostname; exit 3'], { stdin: false }));
    expect(h.pid).toBeGreaterThan(0);
    expect(await collect(h.output)).toEqual({ stdout: 'out\ntestbox\n', stderr: 'err\n' });
    expect(await h.exited).toBe(3);
  });

  it('feeds stdin', async () => {
    const { b } = await running();
    const h = await startExec(b.runtime, b.id, proc(['cat']));
    const out = collect(h.output);
    h.input.end('piped\n');
    expect((await out).stdout).toBe('piped\n');
    expect(await h.exited).toBe(0);
  });

  it('gives a TTY with size and resize', async () => {
    const { b } = await running();
    const h = await startExec(b.runtime, b.id, proc(['sh', '-c', 'tty; stty size; read x; stty size'], { tty: true, cols: 90, rows: 20 }));
    let out = '';
    const done = (async () => {
      for await (const c of h.output) out += c.data.toString();
    })();
    for (let i = 0; i < 100 && !out.includes('20 90'); i++) await new Promise((r) => setTimeout(r, 20));
    h.resize(132, 43);
    await new Promise((r) => setTimeout(r, 100));
    h.input.write('\n');
    await done;
    expect(out).toMatch(/\/dev\/pts\/\d+/);
    expect(out).toContain('20 90');
    expect(out).toContain('43 132');
    expect(await h.exited).toBe(0);
  });

  it('fails like Docker for a missing binary', async () => {
    const { b } = await running();
    const err = await startExec(b.runtime, b.id, proc(['nope'])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StartError);
    expect((err as StartError).exitCode).toBe(127);
    expect((err as Error).message).toMatch(/^OCI runtime exec failed: exec failed: .*exec: "nope": executable file not found in \$PATH/);
  });
});
