// A real TTY through `docker run -it` and `docker exec -it` (the CLI itself runs in a node-pty
// terminal, as in a person's shell), and the API through dockerode.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as pty from 'node-pty';
import Docker from 'dockerode';
import { setTimeout as sleep } from 'node:timers/promises';
import { DOCKER, startEngine, type EngineHandle } from '../harness/engine-process.ts';
import { loadFixtures, BUSYBOX } from '../harness/fixtures.ts';

let e: EngineHandle;
beforeAll(async () => {
  e = await startEngine('tty');
  await loadFixtures(e, ['busybox.tar']);
});
afterAll(async () => e?.stop());

async function until(get: () => string, re: RegExp, ms = 15000): Promise<string> {
  const t0 = Date.now();
  while (!re.test(get())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${re}; got: ${JSON.stringify(get())}`);
    await sleep(50);
  }
  return get();
}

function terminal(args: string[]) {
  const t = pty.spawn(DOCKER, args, { cols: 91, rows: 33, env: e.env as Record<string, string> });
  let out = '';
  t.onData((d) => {
    out += d;
    // Answer busybox ash's cursor-position query as a terminal emulator would.
    if (d.includes('\x1b[6n')) t.write('\x1b[1;1R');
  });
  return { t, out: () => out, clear: () => (out = '') };
}

describe('TTY', () => {
  for (const mode of ['run', 'exec'] as const) {
    it(`docker ${mode} -it gives a real terminal that follows the client's size`, async () => {
      if (mode === 'exec') await e.docker(['run', '-d', '--name', 'ttyhost', BUSYBOX, 'sleep', '300']);
      const args = mode === 'run' ? ['run', '--rm', '-it', BUSYBOX, 'sh'] : ['exec', '-it', 'ttyhost', 'sh'];
      const term = terminal(args);
      await until(term.out, /# /);
      term.t.write('tty; stty size\r');
      await until(term.out, /\/dev\/pts\/\d+[\s\S]*33 91/);
      term.clear();
      term.t.resize(120, 40);
      await sleep(300);
      term.t.write('stty size\r');
      await until(term.out, /40 120/);
      term.t.write('exit 3\r');
      const code = await new Promise<number>((r) => term.t.onExit(({ exitCode }) => r(exitCode)));
      expect(code).toBe(3);
    });
  }
});

describe('dockerode', () => {
  it('drives the engine through the API', async () => {
    const d = new Docker({ socketPath: e.socket });
    expect((await d.ping()).toString()).toBe('OK');
    const info = await d.info();
    expect(info.Driver).toBe('overlay2');
    const c = await d.createContainer({ Image: BUSYBOX, Cmd: ['sh', '-c', 'echo dockerode; exit 2'], name: 'dode' });
    await c.start();
    const res = await c.wait();
    expect(res.StatusCode).toBe(2);
    const logs = await c.logs({ stdout: true, stderr: true });
    expect(logs.toString()).toContain('dockerode');
    const list = await d.listContainers({ all: true, filters: { name: ['dode'] } });
    expect(list).toHaveLength(1);
    await c.remove();
    const vols = await d.listVolumes();
    expect(Array.isArray(vols.Volumes)).toBe(true);
  });
});
