// create/start/stop/restart/kill/pause/wait/rm/rename/ps/inspect/logs/attach/exec/top/stats/events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEngine, type EngineHandle } from '../harness/engine-process.ts';
import { loadFixtures, BUSYBOX } from '../harness/fixtures.ts';

let e: EngineHandle;
beforeAll(async () => {
  e = await startEngine('life');
  await loadFixtures(e, ['busybox.tar']);
});
afterAll(async () => e?.stop());

const state = async (name: string) => (await e.docker(['inspect', '-f', '{{.State.Status}}', name])).stdout.trim();

describe('container lifecycle', () => {
  it('create, start, stop, restart, kill, pause, unpause, wait, rename, rm', async () => {
    expect((await e.docker(['create', '--name', 'lc', BUSYBOX, 'sleep', '300'])).code).toBe(0);
    expect(await state('lc')).toBe('created');
    expect((await e.docker(['start', 'lc'])).code).toBe(0);
    expect(await state('lc')).toBe('running');
    expect((await e.docker(['pause', 'lc'])).code).toBe(0);
    expect(await state('lc')).toBe('paused');
    expect((await e.docker(['unpause', 'lc'])).code).toBe(0);
    expect(await state('lc')).toBe('running');
    const t0 = Date.now();
    expect((await e.docker(['stop', '-t', '1', 'lc'])).code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(await state('lc')).toBe('exited');
    expect((await e.docker(['restart', '-t', '1', 'lc'])).code).toBe(0);
    expect(await state('lc')).toBe('running');
    expect((await e.docker(['kill', '-s', 'KILL', 'lc'])).code).toBe(0);
    await e.docker(['wait', 'lc']);
    expect((await e.docker(['inspect', '-f', '{{.State.ExitCode}}', 'lc'])).stdout.trim()).toBe('137');
    expect((await e.docker(['rename', 'lc', 'lc2'])).code).toBe(0);
    expect((await e.docker(['inspect', '-f', '{{.Name}}', 'lc2'])).stdout.trim()).toBe('/lc2');
    await e.docker(['start', 'lc2']);
    const rm = await e.docker(['rm', 'lc2']);
    expect(rm.code).not.toBe(0);
    expect(rm.stderr).toMatch(/container is running|cannot remove/i);
    expect((await e.docker(['rm', '-f', 'lc2'])).code).toBe(0);
    expect((await e.docker(['inspect', 'lc2'])).code).not.toBe(0);
  });

  it('kill -s delivers the signal the container handles', async () => {
    await e.docker(['run', '-d', '--name', 'trapper', BUSYBOX, 'sh', '-c', 'trap "exit 42" USR1; while :; do sleep 0.1; done']);
    await sleep(300);
    expect((await e.docker(['kill', '-s', 'USR1', 'trapper'])).code).toBe(0);
    expect((await e.docker(['wait', 'trapper'])).stdout.trim()).toBe('42');
  });

  it('docker wait returns the exit code', async () => {
    await e.docker(['run', '-d', '--name', 'waiter', BUSYBOX, 'sh', '-c', 'sleep 1; exit 3']);
    const w = await e.docker(['wait', 'waiter']);
    expect(w.stdout.trim()).toBe('3');
  });

  it('ps -a, -q, -n, filters and format', async () => {
    await e.docker(['run', '-d', '--name', 'psa', '-l', 'tier=web', BUSYBOX, 'sleep', '300']);
    await e.docker(['run', '--name', 'psb', BUSYBOX, 'true']);
    const running = (await e.docker(['ps', '--format', '{{.Names}}'])).stdout;
    expect(running).toContain('psa');
    expect(running).not.toContain('psb');
    expect((await e.docker(['ps', '-a', '--format', '{{.Names}}'])).stdout).toContain('psb');
    expect((await e.docker(['ps', '-q'])).stdout.trim().split('\n').every((l) => /^[0-9a-f]{12}$/.test(l))).toBe(true);
    expect((await e.docker(['ps', '-a', '-n', '1', '--format', '{{.Names}}'])).stdout.trim()).toBe('psb');
    expect((await e.docker(['ps', '-a', '--filter', 'status=exited', '--format', '{{.Names}}'])).stdout).toContain('psb');
    expect((await e.docker(['ps', '-a', '--filter', 'name=psa', '--format', '{{.Names}}'])).stdout.trim()).toBe('psa');
    expect((await e.docker(['ps', '-a', '--filter', 'label=tier=web', '--format', '{{.Names}}'])).stdout.trim()).toBe('psa');
    expect((await e.docker(['ps', '-a', '--filter', `ancestor=${BUSYBOX}`, '--format', '{{.Names}}'])).stdout).toContain('psb');
    expect((await e.docker(['ps', '--format', '{{.Status}}', '--filter', 'name=psa'])).stdout).toMatch(/^Up /);
  });

  it('logs with --tail, -t, --since, -f, and stdout/stderr apart', async () => {
    await e.docker(['run', '-d', '--name', 'talker', BUSYBOX, 'sh', '-c', 'for i in 1 2 3; do echo out$i; echo err$i >&2; done; sleep 1; echo late']);
    await e.docker(['wait', 'talker']);
    const all = await e.docker(['logs', 'talker']);
    expect(all.stdout).toBe('out1\nout2\nout3\nlate\n');
    expect(all.stderr).toBe('err1\nerr2\nerr3\n');
    expect((await e.docker(['logs', '--tail', '1', 'talker'])).stdout).toBe('late\n');
    expect((await e.docker(['logs', '-t', 'talker'])).stdout).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z out1$/m);
    const future = (await e.docker(['logs', '--since', String(Math.floor(Date.now() / 1000) + 60), 'talker'])).stdout;
    expect(future).toBe('');
    await e.docker(['run', '-d', '--name', 'follow', BUSYBOX, 'sh', '-c', 'echo a; sleep 1; echo b']);
    expect((await e.docker(['logs', '-f', 'follow'])).stdout).toBe('a\nb\n');
  });

  it('attach, start -a -i and stdin', async () => {
    await e.docker(['create', '-i', '--name', 'catter', BUSYBOX, 'cat']);
    const r = await e.docker(['start', '-a', '-i', 'catter'], { input: 'through stdin\n' });
    expect(r.stdout).toBe('through stdin\n');
    const piped = await e.docker(['run', '--rm', '-i', BUSYBOX, 'wc', '-l'], { input: 'a\nb\nc\n' });
    expect(piped.stdout.trim()).toBe('3');
    await e.docker(['run', '-d', '--name', 'ticker', BUSYBOX, 'sh', '-c', 'sleep 1; echo tick; sleep 1; echo tock']);
    const att = await e.docker(['attach', 'ticker']);
    expect(att.stdout).toContain('tock');
  });

  it('exec with -e, -u, -w, -d and exit codes', async () => {
    await e.docker(['run', '-d', '--name', 'exe', BUSYBOX, 'sleep', '300']);
    const r = await e.docker(['exec', '-e', 'X=42', '-u', 'nobody', '-w', '/tmp', 'exe', 'sh', '-c', 'echo $X $(id -u) $(pwd)']);
    expect(r.stdout.trim()).toBe('42 65534 /tmp');
    expect((await e.docker(['exec', 'exe', 'sh', '-c', 'exit 5'])).code).toBe(5);
    expect((await e.docker(['exec', '-d', 'exe', 'sh', '-c', 'echo bg > /tmp/bg'])).code).toBe(0);
    await sleep(300);
    expect((await e.docker(['exec', 'exe', 'cat', '/tmp/bg'])).stdout).toBe('bg\n');
    expect((await e.docker(['exec', '-i', 'exe', 'cat'], { input: 'in\n' })).stdout).toBe('in\n');
    const missing = await e.docker(['exec', 'exe', 'nope']);
    expect(missing.code).toBe(127);
  });

  it('top, stats and port', async () => {
    await e.docker(['run', '-d', '--name', 'busy', BUSYBOX, 'sh', '-c', 'while :; do :; done']);
    const top = await e.docker(['top', 'busy']);
    expect(top.stdout).toMatch(/PID/);
    expect(top.stdout).toContain('while');
    const st = await e.docker(['stats', '--no-stream', '--format', '{{.CPUPerc}} {{.MemUsage}} {{.NetIO}} {{.PIDs}}', 'busy']);
    const [cpu, ...rest] = st.stdout.trim().split(' ');
    expect(parseFloat(cpu)).toBeGreaterThan(5);
    expect(rest.join(' ')).toMatch(/B \/ .*B/);
    expect(st.stdout.trim().endsWith(' 1')).toBe(true);
    await e.docker(['rm', '-f', 'busy']);
  });

  it('container prune removes stopped containers only', async () => {
    await e.docker(['run', '--name', 'dead1', BUSYBOX, 'true']);
    await e.docker(['run', '-d', '--name', 'alive1', BUSYBOX, 'sleep', '300']);
    expect((await e.docker(['container', 'prune', '-f'])).code).toBe(0);
    const names = (await e.docker(['ps', '-a', '--format', '{{.Names}}'])).stdout;
    expect(names).not.toContain('dead1');
    expect(names).toContain('alive1');
  });

  it('streams events with filters, --since and --until', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    await e.docker(['run', '--rm', '--name', 'evt', BUSYBOX, 'true']);
    await sleep(200);
    const until = Math.floor(Date.now() / 1000) + 1;
    const r = await e.docker(['events', '--since', String(since), '--until', String(until), '--filter', 'container=evt', '--format', '{{.Action}}']);
    const actions = r.stdout.trim().split('\n');
    expect(actions).toEqual(expect.arrayContaining(['create', 'attach', 'start', 'die', 'destroy']));
    const img = await e.docker(['events', '--since', '0', '--until', String(until), '--filter', 'type=image', '--format', '{{.Action}}']);
    expect(img.stdout).toContain('load');
  });
});
