// The UI's typed API end to end: a real engine (native mode), the host's service and web-mode
// server on it, and the protocol client over a real WebSocket — the same path the browser takes.
import http from 'node:http';
import { mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, type BerthApi, type EngineEvent } from '../../protocol/src/index.ts';
import { createBerthService, type BerthService } from '../../host/src/api/berth-service.ts';
import { SettingsStore } from '../../host/src/settings/settings-store.ts';
import { hostLimits } from '../../host/src/settings/host-limits.ts';
import { startUiServer, type UiServer } from '../../host/src/ui-server/ui-server.ts';
import { createWsTransport, type WsTransport, type WsTransportOptions } from '../../host/src/ui-server/ws-client-transport.ts';
import { ROOT, startEngine, type EngineHandle } from '../harness/engine-process.ts';
import { BUSYBOX, LAYERS, fixture, loadFixtures } from '../harness/fixtures.ts';
import { freePort, pushFixture, startRegistry, type RegistryHandle } from '../harness/registry.ts';

let e: EngineHandle;
let home: string;
let settings: SettingsStore;
let service: BerthService;
let ui: UiServer;
let transport: WsTransport;
let api: BerthApi;

const WS = WebSocket as unknown as WsTransportOptions['WebSocket'];

beforeAll(async () => {
  e = await startEngine('ui-api');
  await loadFixtures(e, ['busybox.tar', 'layers.tar']);
  home = mkdtempSync(path.join(os.tmpdir(), 'berth-home-'));
  settings = await SettingsStore.open(path.join(home, 'settings.json'), hostLimits(home));
  service = createBerthService({ socket: e.socket, settings, mode: 'native' });
  ui = await startUiServer({
    service,
    rendererDir: path.join(ROOT, 'dist/renderer'),
    bootstrapFile: path.join(ROOT, 'dist/renderer-bootstrap/berth-web.js'),
  });
  transport = createWsTransport(`ws://127.0.0.1:${ui.port}/api?token=${ui.token}`, { WebSocket: WS });
  api = createApiClient(transport);
});

afterAll(async () => {
  transport?.close();
  service?.dispose();
  await ui?.close();
  await e?.stop();
  if (home) await fs.rm(home, { recursive: true, force: true });
});

async function until<T>(get: () => T | undefined, what: string, ms = 15_000, seen?: () => unknown): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = get();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}${seen ? `; saw ${JSON.stringify(seen())}` : ''}`);
    await sleep(25);
  }
}

function httpGet(pathAndQuery: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: ui.port, path: pathAndQuery, headers }, (res) => {
      let body = '';
      res.on('data', (b) => (body += b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    }).on('error', reject);
  });
}

/** How a raw WebSocket attempt ends: its close code, or the HTTP status that refused the upgrade. */
function wsOutcome(query: string, origin?: string): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${ui.port}/api${query}`, origin ? { origin } : {});
    ws.on('unexpected-response', (_req, res) => resolve(`http ${res.statusCode}`));
    ws.on('close', (code) => resolve(`close ${code}`));
    ws.on('error', () => undefined);
  });
}

describe('web mode security', () => {
  it('refuses the page and the API without the right token; assets are public', async () => {
    expect((await httpGet('/')).status).toBe(401);
    expect((await httpGet('/?token=' + 'f'.repeat(64))).status).toBe(401);
    expect((await httpGet('/containers/abc')).status).toBe(401);
    const page = await httpGet(`/?token=${ui.token}`);
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    // The renderer loads /berth-web.js itself (renderer/src/berth-api.ts) unless a preload set window.berth.
    expect(page.body).toMatch(/<html/i);
    const boot = await httpGet('/berth-web.js');
    expect(boot.status).toBe(200);
    expect(boot.headers['content-type']).toMatch(/javascript/);
    expect((await httpGet(`/?token=${ui.token}`, { Host: 'evil.example:80' })).status).toBe(403);

    expect(await wsOutcome('')).toBe('close 4401');
    expect(await wsOutcome('?token=nope')).toBe('close 4401');
    expect(await wsOutcome(`?token=${ui.token}`, 'http://evil.example')).toBe('http 403');
    expect(await wsOutcome(`?token=${ui.token}`, `http://127.0.0.1:${ui.port + 1}`)).toBe('http 403');
  });

  it('accepts the page origin with the token', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${ui.port}/api?token=${ui.token}`, { origin: `http://127.0.0.1:${ui.port}` });
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    ws.send(JSON.stringify({ t: 'call', id: 1, method: 'engine.info', params: {} }));
    const reply = await new Promise<string>((r) => ws.once('message', (d) => r(String(d))));
    expect(JSON.parse(reply)).toMatchObject({ t: 'result', id: 1, result: { state: 'running', mode: 'native' } });
    ws.close();
  });
});

describe('engine and containers', () => {
  it('reports engine info; restart is refused in native mode with a clear message', async () => {
    const info = await api.engine.info();
    expect(info).toMatchObject({ mode: 'native', state: 'running', socket: e.socket });
    expect(info.cpus).toBeGreaterThan(0);
    expect(info.images).toBeGreaterThanOrEqual(2);
    await expect(api.engine.restart()).rejects.toMatchObject({ kind: 'NotImplemented', message: expect.stringMatching(/native mode/) });
  });

  it('sees a `docker run` from the CLI on the event stream within a second', async () => {
    const events: (EngineEvent & { at: number })[] = [];
    const stop = api.engine.events({}, (ev) => events.push({ ...ev, at: Date.now() }));
    await sleep(300);
    const r = await e.docker(['run', '-d', '--name', 'from-cli', BUSYBOX, 'sleep', '60']);
    expect(r.code).toBe(0);
    const done = Date.now();
    const start = await until(() => events.find((ev) => ev.type === 'container' && ev.action === 'start' && ev.attributes.name === 'from-cli'), 'start event', 1000);
    expect(start.at - done).toBeLessThan(1000);
    expect(start.id).toBe(r.stdout.trim());
    expect(start.time).toBeGreaterThan(Date.now() - 60_000);
    expect(events.some((ev) => ev.action === 'create' && ev.attributes.name === 'from-cli')).toBe(true);
    stop();
    const list = await api.containers.list();
    expect(list.find((c) => c.name === 'from-cli')).toMatchObject({ state: 'running', image: BUSYBOX });
  });

  it('runs a container with a published port, env and limits; lists, inspects, stops and removes it', async () => {
    const hostPort = await freePort();
    const { id } = await api.containers.run({
      image: BUSYBOX, name: 'ui-web', cmd: ['sh', '-c', 'trap "exit 0" TERM; echo "hello $GREETING"; echo oops >&2; sleep 300 & wait'],
      env: ['GREETING=world'], ports: [{ hostPort, containerPort: 80 }], cpus: 0.5, memoryMb: 64,
    });
    const row = (await api.containers.list({ all: false })).find((c) => c.id === id);
    expect(row).toMatchObject({ name: 'ui-web', state: 'running', ports: [{ hostPort, containerPort: 80, proto: 'tcp' }] });
    const inspect = (await api.containers.inspect({ id })) as { HostConfig: { NanoCpus: number; Memory: number } };
    expect(inspect.HostConfig).toMatchObject({ NanoCpus: 5e8, Memory: 64 * 1024 * 1024 });

    const lines: { stream: string; text: string; time: string }[] = [];
    let ended = false;
    const stop = api.containers.logs({ id, follow: true }, (l) => lines.push(l), () => (ended = true));
    await until(() => lines.length >= 2 || undefined, 'log lines');
    expect(lines.find((l) => l.text === 'hello world')).toMatchObject({ stream: 'stdout', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(lines.find((l) => l.text === 'oops')).toMatchObject({ stream: 'stderr' });
    expect(ended).toBe(false);
    stop();

    await api.containers.stop({ id });
    expect((await api.containers.list()).find((c) => c.id === id)?.state).toBe('exited');
    await expect(api.containers.remove({ id: 'no-such-thing' })).rejects.toMatchObject({ kind: 'NotFound', message: expect.stringMatching(/no-such-thing/) });
    await api.containers.remove({ id });
    expect((await api.containers.list()).some((c) => c.id === id)).toBe(false);
  });

  it('streams stats that move', async () => {
    const { id } = await api.containers.run({ image: BUSYBOX, name: 'ui-busy', cmd: ['sh', '-c', 'while :; do :; done'] });
    const samples: { time: number; cpuPercent: number; memoryUsage: number; pids: number }[] = [];
    const stop = api.containers.stats({ id }, (s) => samples.push(s));
    await until(() => samples.length >= 3 || undefined, 'three stats samples', 20_000);
    stop();
    expect(samples[2].time).toBeGreaterThan(samples[0].time);
    expect(Math.max(...samples.map((s) => s.cpuPercent))).toBeGreaterThan(10);
    expect(samples[2].memoryUsage).toBeGreaterThan(0);
    expect(samples[2].pids).toBeGreaterThanOrEqual(1);
    await api.containers.remove({ id, force: true });
  });
});

describe('terminal', () => {
  it('opens a TTY shell, echoes input, resizes, and replays after the view goes away', async () => {
    const { id } = await api.containers.run({ image: BUSYBOX, name: 'ui-term', cmd: ['sleep', '300'] });
    const { sessionId } = await api.terminal.open({ containerId: id, cols: 80, rows: 24 });
    let out = '';
    let answered = 0;
    const onData = ({ data }: { data: string }) => {
      out += data;
      // Answer busybox ash's cursor-position query, as xterm.js does; ash reads the answer from
      // its input, so the next command is typed only after it (else ash swallows it).
      if (data.includes('\x1b[6n')) void api.terminal.input({ sessionId, data: '\x1b[1;1R' }).then(() => answered++);
    };
    const type = async (line: string) => {
      const before = answered;
      await api.terminal.input({ sessionId, data: line });
      await until(() => answered > before || undefined, `the prompt after ${JSON.stringify(line)}`, 15_000, () => out);
    };
    const stop = api.terminal.output({ sessionId }, onData);
    await until(() => (/[#$] /.test(out) && answered > 0) || undefined, 'a prompt', 15_000, () => out);
    await type('echo hi\r');
    // Now and then the engine's TTY sends \r\r\n for a newline (seen here with busybox): allow it.
    expect(out).toMatch(/\nhi\r*\n/);
    await api.terminal.resize({ sessionId, cols: 120, rows: 40 });
    await type('stty size\r');
    expect(out).toContain('40 120');
    stop();

    // The view navigated away; the shell keeps running and its output is kept.
    await sleep(200);
    let replay = '';
    const stop2 = api.terminal.output({ sessionId }, ({ data }) => (replay += data));
    await until(() => replay.includes('40 120') || undefined, 'the replayed screen');
    expect(replay).toMatch(/\nhi\r*\n/);
    stop2();

    let ended = false;
    api.terminal.output({ sessionId }, () => undefined, () => (ended = true));
    await sleep(100);
    await api.terminal.close({ sessionId });
    await until(() => ended || undefined, 'the output stream to end');
    await expect(api.terminal.input({ sessionId, data: 'x' })).rejects.toMatchObject({ kind: 'NotFound' });
    await api.containers.remove({ id, force: true });
  });
});

describe('images', () => {
  let reg: RegistryHandle | undefined;
  afterAll(async () => reg?.stop());

  it('lists images, shows layer history, tags and removes a tag', async () => {
    const images = await api.images.list();
    const layers = images.find((i) => i.tags.includes(LAYERS));
    expect(layers).toBeDefined();
    expect(layers!.size).toBeGreaterThan(0);
    const history = await api.images.history({ id: LAYERS });
    expect(history.length).toBeGreaterThan(1);
    expect(history.some((h) => h.createdBy.length > 0)).toBe(true);
    await api.images.tag({ id: LAYERS, ref: 'ui/tagged:v1' });
    expect((await api.images.list()).find((i) => i.id === layers!.id)?.tags).toContain('ui/tagged:v1');
    await api.images.remove({ id: 'ui/tagged:v1' });
    expect((await api.images.list()).find((i) => i.id === layers!.id)?.tags).not.toContain('ui/tagged:v1');
    await expect(api.images.remove({ id: 'nope:never' })).rejects.toMatchObject({ kind: 'NotFound' });
    expect((await api.images.prune({ all: false })).reclaimed).toBeGreaterThanOrEqual(0);
  });

  it('pulls from a local registry with per-layer progress', async () => {
    reg = await startRegistry({ auth: 'none' });
    // Not loaded into this engine, so every layer is fetched and reported.
    await pushFixture(reg.host, fixture('httpd.tar'), 'ui/httpd:1');
    const progress: { id?: string; status: string; current?: number; total?: number }[] = [];
    await new Promise<void>((resolve, reject) => {
      api.images.pull({ ref: `${reg!.host}/ui/httpd:1` }, (p) => progress.push(p), (err) => (err ? reject(err) : resolve()));
    });
    expect(progress.length, JSON.stringify(progress)).toBeGreaterThan(0);
    const layerIds = new Set(progress.filter((p) => p.id && p.id !== '1').map((p) => p.id));
    // httpd's base layer is busybox's, already here; its own layer is fetched.
    expect(layerIds.size, JSON.stringify(progress)).toBeGreaterThanOrEqual(2);
    for (const id of layerIds) expect(progress.some((p) => p.id === id && /^(Pull complete|Already exists)$/.test(p.status)), id).toBe(true);
    expect(progress.some((p) => p.status === 'Pull complete')).toBe(true);
    expect(progress.some((p) => p.id && (p.total ?? 0) > 0 && (p.current ?? 0) > 0), JSON.stringify(progress)).toBe(true);
    expect(progress.at(-1)?.status).toMatch(/Status: (Downloaded newer image|Image is up to date)/);
    expect((await api.images.list()).some((i) => i.tags.includes(`${reg!.host}/ui/httpd:1`))).toBe(true);

    const failed = new Promise<Error | undefined>((resolve) => api.images.pull({ ref: `${reg!.host}/ui/missing:1` }, () => undefined, resolve));
    expect((await failed)?.message).toMatch(/not found|unknown|manifest/i);
  });
});

describe('volumes', () => {
  it('creates, lists with size and users, refuses removing one in use, prunes', async () => {
    expect(await api.volumes.create({ name: 'ui-data' })).toMatchObject({ name: 'ui-data', driver: 'local', usedBy: [] });
    const { id } = await api.containers.run({
      image: BUSYBOX, name: 'ui-vol-user', cmd: ['sh', '-c', 'head -c 300000 /dev/zero > /data/blob; sleep 300'],
      volumes: [{ source: 'ui-data', target: '/data' }],
    });
    await sleep(500);
    const v = (await api.volumes.list()).find((x) => x.name === 'ui-data');
    expect(v).toMatchObject({ usedBy: ['ui-vol-user'] });
    expect(v!.size).toBeGreaterThanOrEqual(300_000);
    await expect(api.volumes.remove({ name: 'ui-data' })).rejects.toMatchObject({ message: expect.stringMatching(/in use/i) });
    await api.containers.remove({ id, force: true });
    await api.volumes.remove({ name: 'ui-data' });
    expect((await api.volumes.list()).some((x) => x.name === 'ui-data')).toBe(false);
    expect(await api.volumes.prune()).toMatchObject({ reclaimed: expect.any(Number) });
  });
});

describe('settings and troubleshoot', () => {
  it('persists settings bounded by the host; reset goes back to defaults', async () => {
    const { settings: s, limits } = await api.settings.get();
    expect(s.cpus).toBeLessThanOrEqual(limits.cpus);
    const r = await api.settings.update({ cpus: limits.cpus, theme: 'dark', registryMirrors: ['http://mirror.local'] });
    expect(r).toMatchObject({ restartNeeded: false, settings: { cpus: limits.cpus, theme: 'dark' } });
    const onDisk = JSON.parse(await fs.readFile(path.join(home, 'settings.json'), 'utf8'));
    expect(onDisk).toMatchObject({ cpus: limits.cpus, theme: 'dark', registryMirrors: ['http://mirror.local'] });
    await expect(api.settings.update({ cpus: limits.cpus + 1 })).rejects.toMatchObject({ kind: 'InvalidArgument' });
    await expect(api.settings.update({ cpus: 0 })).rejects.toMatchObject({ kind: 'InvalidArgument' });
    await api.troubleshoot.reset();
    expect((await api.settings.get()).settings.theme).toBe('system');
    expect((await api.troubleshoot.logs({ source: 'vm' })).text).toMatch(/no VM/i);
  });

  it('a VM-mode service asks for a restart when resources change', async () => {
    const vm = createBerthService({ socket: e.socket, settings, mode: 'vm' });
    const { settings: s, limits } = await vm['settings.get']({});
    const other = s.memoryMb === 1024 ? 2048 : 1024;
    expect(other).toBeLessThanOrEqual(limits.memoryMb);
    expect((await vm['settings.update']({ memoryMb: other })).restartNeeded).toBe(true);
    expect((await vm['settings.update']({ theme: 'light' })).restartNeeded).toBe(false);
  });
});
