// /_ping, /version, /info, /events, /system/df, /auth.
import os from 'node:os';
import type { Engine } from '../../../engine/engine.ts';
import type { EngineEvent } from '../../../engine/event-bus.ts';
import { invalid } from '../../../errors.ts';
import type { Router, RequestContext } from '../router.ts';
import { API_VERSION, MIN_API_VERSION } from '../server.ts';
import { parseFilters, parseTime, sendJson } from '../http-io.ts';
import { systemDf } from '../mappers/system-df.ts';

const ENGINE_VERSION = '28.2.0';
const ARCH: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64' };
const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };

export function registerSystemRoutes(r: Router, engine: Engine): void {
  const ping = (c: RequestContext) => {
    c.res!.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache, no-store, must-revalidate', Pragma: 'no-cache', 'Builder-Version': '1' });
    c.res!.end(c.req.method === 'HEAD' ? undefined : 'OK');
  };
  r.on('GET', '/_ping', ping).on('HEAD', '/_ping', ping);
  r.on('GET', '/version', (c) => sendJson(c, 200, version(engine)));
  r.on('GET', '/info', async (c) => sendJson(c, 200, await info(engine)));
  r.on('GET', '/events', (c) => streamEvents(c, engine));
  r.on('GET', '/system/df', async (c) => sendJson(c, 200, await systemDf(engine)));
}

function version(engine: Engine) {
  const v = {
    Version: ENGINE_VERSION,
    ApiVersion: API_VERSION,
    MinAPIVersion: MIN_API_VERSION,
    GitCommit: 'berth',
    GoVersion: `node${process.versions.node}`,
    Os: 'linux',
    Arch: GOARCH[process.arch] ?? process.arch,
    KernelVersion: os.release(),
    BuildTime: engine.startedAt.toISOString(),
  };
  return {
    Platform: { Name: 'Berth Engine' },
    Components: [
      { Name: 'Engine', Version: ENGINE_VERSION, Details: { ApiVersion: API_VERSION, MinAPIVersion: MIN_API_VERSION, Os: 'linux', Arch: v.Arch, KernelVersion: v.KernelVersion, GitCommit: 'berth' } },
      { Name: engine.ctx.runtime.name, Version: engine.ctx.runtime.version, Details: { GitCommit: '' } },
    ],
    ...v,
  };
}

function registryConfigJson(engine: Engine) {
  const r = engine.ctx.registry;
  const cidrs = r.insecureRegistries.filter((x) => x.includes('/'));
  const hosts = r.insecureRegistries.filter((x) => !x.includes('/'));
  return {
    InsecureRegistryCIDRs: ['::1/128', '127.0.0.0/8', ...cidrs],
    IndexConfigs: {
      'docker.io': { Name: 'docker.io', Mirrors: r.mirrors, Secure: true, Official: true },
      ...Object.fromEntries(hosts.map((h) => [h, { Name: h, Mirrors: [], Secure: false, Official: false }])),
    },
    Mirrors: r.mirrors,
  };
}

async function info(engine: Engine) {
  const i = await engine.info();
  const rt = i.runtime;
  return {
    ID: 'BERTH',
    Containers: i.containers,
    ContainersRunning: i.running,
    ContainersPaused: i.paused,
    ContainersStopped: i.stopped,
    Images: i.images,
    Driver: 'overlay2',
    DriverStatus: [['Backing Filesystem', 'extfs'], ['Supports d_type', 'true'], ['Using metacopy', 'false'], ['Native Overlay Diff', 'true'], ['userxattr', 'false']],
    Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'null'], Authorization: null, Log: ['json-file'] },
    MemoryLimit: true,
    SwapLimit: true,
    CpuCfsPeriod: true,
    CpuCfsQuota: true,
    CPUShares: true,
    CPUSet: true,
    PidsLimit: true,
    IPv4Forwarding: true,
    Debug: false,
    NFd: 0,
    OomKillDisable: false,
    NGoroutines: 0,
    SystemTime: new Date().toISOString(),
    LoggingDriver: 'json-file',
    CgroupDriver: i.cgroups.driver,
    CgroupVersion: String(i.cgroups.version),
    NEventsListener: 0,
    KernelVersion: i.kernel,
    OperatingSystem: i.os,
    OSVersion: '',
    OSType: 'linux',
    Architecture: ARCH[process.arch] ?? process.arch,
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: registryConfigJson(engine),
    NCPU: i.cpus,
    MemTotal: i.memory,
    GenericResources: null,
    DockerRootDir: i.dataRoot,
    HttpProxy: '',
    HttpsProxy: '',
    NoProxy: '',
    Name: i.hostname,
    Labels: [],
    ExperimentalBuild: false,
    ServerVersion: ENGINE_VERSION,
    Runtimes: { [rt.name]: { path: rt.path } },
    DefaultRuntime: rt.name,
    Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
    LiveRestoreEnabled: true,
    Isolation: '',
    InitBinary: 'docker-init',
    ContainerdCommit: { ID: '' },
    RuncCommit: { ID: rt.version },
    InitCommit: { ID: '' },
    SecurityOptions: ['name=seccomp,profile=unconfined', ...(i.cgroups.version === 2 ? ['name=cgroupns'] : [])],
    Warnings: [],
  };
}

function eventMatcher(filters: Map<string, string[]>): (e: EngineEvent) => boolean {
  for (const k of filters.keys()) {
    if (!['type', 'event', 'container', 'image', 'volume', 'network', 'label', 'daemon', 'scope'].includes(k)) throw invalid(`invalid filter '${k}'`);
  }
  const has = (k: string, pred: (v: string) => boolean) => !filters.has(k) || filters.get(k)!.some(pred);
  return (e) =>
    has('type', (v) => v === e.type) &&
    has('event', (v) => v === e.action || e.action.startsWith(`${v}:`)) &&
    has('container', (v) => e.type === 'container' && (e.id.startsWith(v) || e.attributes.name === v)) &&
    has('image', (v) => (e.type === 'image' && (e.id === v || e.id.startsWith(`sha256:${v}`) || e.attributes.name === v)) || e.attributes.image === v) &&
    has('volume', (v) => e.type === 'volume' && e.id === v) &&
    has('network', (v) => e.type === 'network' && (e.id.startsWith(v) || e.attributes.name === v)) &&
    has('label', (v) => {
      const [k, val] = v.split('=');
      return val === undefined ? k in e.attributes : e.attributes[k] === val;
    });
}

export function eventJson(e: EngineEvent) {
  const secs = Number(e.timeNano / 1_000_000_000n);
  const legacy = e.type === 'container' || e.type === 'image' ? { status: e.action, id: e.id, from: e.attributes.image ?? '' } : {};
  return { ...legacy, Type: e.type, Action: e.action, Actor: { ID: e.id, Attributes: e.attributes }, scope: 'local', time: secs, timeNano: Number(e.timeNano) };
}

async function streamEvents(c: RequestContext, engine: Engine): Promise<void> {
  const since = parseTime(c.query.get('since'));
  const until = parseTime(c.query.get('until'));
  const match = eventMatcher(parseFilters(c.query));
  const res = c.res!;
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.flushHeaders();
  const toNano = (s: number | undefined) => (s === undefined ? undefined : BigInt(Math.round(s * 1e9)));
  for await (const e of engine.ctx.events.stream({ sinceNano: toNano(since), untilNano: toNano(until), match, signal: c.signal })) {
    res.write(JSON.stringify(eventJson(e)) + '\n');
  }
  res.end();
}
