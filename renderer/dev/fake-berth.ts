// DEV ONLY: an in-memory window.berth with a few containers, images and volumes, for looking at
// the UI without an engine (`node renderer/dev/screenshot.mjs`). Never built into dist/, never
// used by the e2e tests, which run against the real engine.
import type { BerthApi } from '../../protocol/src/api-client.ts';
import type { ContainerSummary, ImageSummary, VolumeSummary } from '../../protocol/src/api-shapes.ts';

const now = Math.floor(Date.now() / 1000);
const id = (s: string) => s.padEnd(64, 'a1b2c3');
const containers: ContainerSummary[] = [
  { id: id('web'), name: 'web', image: 'berth-fixture/httpd:latest', imageId: 'sha256:1', command: 'httpd -f', created: now - 600, state: 'running', status: 'Up 10 minutes', ports: [{ hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, proto: 'tcp' }], labels: {} },
  { id: id('worker'), name: 'worker', image: 'busybox:latest', imageId: 'sha256:2', command: 'sh -c loop', created: now - 3600, state: 'running', status: 'Up 1 hour', ports: [], labels: {} },
  { id: id('cache'), name: 'cache', image: 'registry.local:5000/redis:7', imageId: 'sha256:3', command: 'redis-server', created: now - 7200, state: 'paused', status: 'Up 2 hours (Paused)', ports: [{ hostIp: '0.0.0.0', hostPort: 6379, containerPort: 6379, proto: 'tcp' }], labels: {} },
  { id: id('migrate'), name: 'migrate', image: 'busybox:latest', imageId: 'sha256:2', command: 'true', created: now - 86400, state: 'exited', status: 'Exited (0) 1 day ago', ports: [], labels: {} },
];
const images: ImageSummary[] = [
  { id: 'sha256:' + id('1f2e'), tags: ['berth-fixture/httpd:latest'], digests: ['berth-fixture/httpd@sha256:' + id('9d8c')], created: now - 86400 * 3, size: 4_812_000, containers: 1 },
  { id: 'sha256:' + id('2b3c'), tags: ['busybox:latest', 'busybox:1.36'], digests: [], created: now - 86400 * 30, size: 2_150_000, containers: 2 },
  { id: 'sha256:' + id('3c4d'), tags: [], digests: [], created: now - 86400 * 40, size: 12_300_000, containers: 0 },
];
const volumes: VolumeSummary[] = [
  { name: 'pgdata', driver: 'local', mountpoint: '/var/lib/berth/volumes/pgdata', created: new Date(Date.now() - 86400e3).toISOString(), labels: {}, size: 48_200_000, usedBy: [id('cache')] },
  { name: 'scratch', driver: 'local', mountpoint: '/var/lib/berth/volumes/scratch', created: new Date(Date.now() - 3600e3).toISOString(), labels: {}, size: 0, usedBy: [] },
];
let settings = { cpus: 2, memoryMb: 4096, diskGb: 64, sharedFolders: ['/home/me'], insecureRegistries: ['127.0.0.1:5000'], registryMirrors: [], startAtLogin: false, theme: 'system' as const };

const rpc: Record<string, (p: Record<string, unknown>) => unknown> = {
  'engine.info': () => ({ mode: 'native', state: 'running', version: '0.1.0', apiVersion: '1.50', os: 'Debian GNU/Linux 12', kernel: '6.1.0', cpus: 2, memory: 24e9, containers: 4, running: 2, images: 3, socket: '/root/.berth/docker.sock' }),
  'containers.list': () => containers,
  'containers.inspect': (p) => ({ Id: p.id, Name: '/web', State: { Status: 'running', Pid: 4242, StartedAt: new Date().toISOString() }, Config: { Image: 'berth-fixture/httpd', Env: ['PATH=/bin'], Cmd: ['httpd', '-f'] }, HostConfig: { Memory: 0, PortBindings: { '80/tcp': [{ HostPort: '8080' }] } }, Mounts: [] }),
  'images.list': () => images,
  'images.history': () => [
    { id: 'sha256:aa', createdBy: '/bin/sh -c #(nop) CMD ["httpd","-f"]', created: now - 86400 * 3, size: 0, comment: '' },
    { id: 'sha256:bb', createdBy: '/bin/sh -c rm /tmp/big && touch /www/index.html', created: now - 86400 * 3, size: 1200, comment: '' },
    { id: 'sha256:cc', createdBy: 'COPY httpd /bin/httpd', created: now - 86400 * 3, size: 2_600_000, comment: '' },
    { id: 'sha256:dd', createdBy: 'ADD rootfs.tar /', created: now - 86400 * 4, size: 2_200_000, comment: 'fixture base' },
  ],
  'volumes.list': () => volumes,
  'settings.get': () => ({ settings, limits: { cpus: 8, memoryMb: 16384, diskGb: 256 } }),
  'settings.update': (p) => { settings = { ...settings, ...p }; return { settings, restartNeeded: 'cpus' in p }; },
  'troubleshoot.logs': (p) => ({ text: `[${p.source}] engine listening on /run/berth/docker.sock\n[${p.source}] api 1.50 ready\n` }),
  'terminal.open': () => ({ sessionId: 's1' }),
};

const streams: Record<string, (p: Record<string, unknown>, emit: (e: unknown) => void) => () => void> = {
  'engine.events': () => () => undefined,
  'containers.logs': (_p, emit) => {
    for (let i = 0; i < 30; i++) emit({ stream: i % 7 === 3 ? 'stderr' : 'stdout', time: new Date(Date.now() - (30 - i) * 1000).toISOString(), text: i % 7 === 3 ? `warn: slow request /api/${i} took 1.2s` : `GET /index.html 200 ${120 + i}b` });
    return () => undefined;
  },
  'containers.stats': (_p, emit) => {
    let t = 0;
    const tick = () => { t++; emit({ time: Date.now(), cpuPercent: 5 + 4 * Math.sin(t / 2) + Math.random() * 2, memoryUsage: 18e6 + t * 1e5, memoryLimit: 0, netRx: t * 4000, netTx: t * 1500, blockRead: t * 8000, blockWrite: t * 2000, pids: 3 }); };
    for (let i = 0; i < 30; i++) tick();
    const h = setInterval(tick, 1000);
    return () => clearInterval(h);
  },
  'terminal.output': (_p, emit) => { emit({ data: '/ # echo hi\r\nhi\r\n/ # ' }); return () => undefined; },
};

const api = new Proxy({}, {
  get: (_t, ns: string) => new Proxy({}, {
    get: (_t2, name: string) => (params: Record<string, unknown> = {}, onEvent?: (e: unknown) => void) => {
      const method = `${ns}.${name}`;
      if (onEvent) return (streams[method] ?? (() => () => undefined))(params, onEvent);
      return new Promise((r) => setTimeout(() => r((rpc[method] ?? (() => ({ ok: true })))(params)), 50));
    },
  }),
}) as BerthApi;

(window as unknown as { berth: BerthApi }).berth = api;
