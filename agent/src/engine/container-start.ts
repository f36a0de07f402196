// docker start, as a list of named steps. Each step records how to undo itself; if a later step
// fails, the undo list runs in reverse so a failed start leaves no mount, netns, veth, cgroup or
// proxy behind (the container stays "created", or "exited" with the error, as Docker does).
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { invalid } from '../errors.ts';
import { log } from '../log.ts';
import { mount, unmount } from '../sys/mount.ts';
import { writeFileAtomic, writeJsonAtomic } from '../sys/atomic-file.ts';
import { hostsFile, hostnameFile, resolvConf } from '../network/etc-files.ts';
import { parsePortSpecs } from '../network/port-spec.ts';
import type { PortBinding } from '../network/port-proxy.ts';
import { buildSpec } from '../runtime/oci-spec.ts';
import { resolveUser } from '../runtime/user-resolver.ts';
import { startShim, ShimConnection } from '../runtime/shim-client.ts';
import type { ShimConfig } from '../runtime/shim-config.ts';
import { removeCgroup } from '../cgroups/cgroup-cleanup.ts';
import { hostDevices } from '../sys/host-devices.ts';
import type { EngineContext } from './context.ts';
import type { ContainerRecord, NetworkEndpoint } from './types.ts';
import { containerPaths } from './container-paths.ts';
import { notifyWaiters, watchExit } from './container-exit.ts';
import { removeContainer } from './container-remove.ts';

type Undo = () => Promise<unknown>;

export async function startContainer(ctx: EngineContext, rec: ContainerRecord): Promise<void> {
  const undo: Undo[] = [];
  const p = containerPaths(ctx, rec.id);
  try {
    await mountRootfs(ctx, rec, undo);
    await prepareVolumes(ctx, rec);
    const endpoint = await attachNetwork(ctx, rec, undo);
    await writeEtcFiles(rec, endpoint, p.dir);
    const spec = await ociSpec(ctx, rec, endpoint);
    await writeJsonAtomic(path.join(p.dir, 'config.json'), spec);
    undo.push(() => removeCgroup(cgroupsPath(rec.id), ctx.cgroups));
    const bindings = portBindings(ctx, rec, endpoint);
    const started = await startShim({ shimScript: ctx.opts.shimScript, configPath: p.shimConfig, config: shimConfig(ctx, rec, bindings), pool: ctx.shimPool });
    const conn = await ShimConnection.connect(p.shimSocket);
    ctx.shims.set(rec.id, conn);
    rec.state = {
      ...rec.state,
      status: 'running',
      pid: started.pid,
      shimPid: started.shimPid,
      exitCode: 0,
      error: '',
      oomKilled: false,
      startedAt: new Date().toISOString(),
      finishedAt: '0001-01-01T00:00:00Z',
      stoppedByUser: false,
      endpoint,
      ports: started.ports.map((b) => ({ ...b, hostIp: b.hostIp })),
    };
    await ctx.containers.save(rec);
    watchExit(ctx, rec.id, conn);
  } catch (e) {
    for (const u of undo.reverse()) await u().catch((err) => log.warn('start rollback step failed', { id: rec.id, err: String(err) }));
    await recordStartFailure(ctx, rec, e);
    throw e;
  }
  ctx.events.emit('container', 'start', rec.id, { image: rec.spec.image, name: rec.name, ...rec.spec.labels });
}

/**
 * As dockerd does: the container keeps its state with the error and exit code (127 for a missing
 * command), waiters are released, and an --rm container is removed.
 */
async function recordStartFailure(ctx: EngineContext, rec: ContainerRecord, e: unknown): Promise<void> {
  const code = (e as { exitCode?: unknown }).exitCode;
  rec.state = { ...rec.state, error: e instanceof Error ? e.message : String(e), exitCode: typeof code === 'number' ? code : 128, pid: 0, shimPid: 0, endpoint: null, ports: [] };
  if (rec.state.status === 'running' || rec.state.status === 'restarting') rec.state.status = 'exited';
  await ctx.containers.save(rec).catch(() => undefined);
  notifyWaiters(ctx, rec.id, rec.state.exitCode);
  if (rec.spec.host.autoRemove) await removeContainer(ctx, rec, { removeVolumes: true, locked: true }).catch(() => undefined);
}

export const cgroupsPath = (id: string) => `/berth/${id}`;

/** Docker's init (tini), from the docker.io or tini package. */
const INIT_PATH = existsSync('/usr/bin/docker-init') ? '/usr/bin/docker-init' : '/usr/bin/tini';

async function mountRootfs(ctx: EngineContext, rec: ContainerRecord, undo: Undo[]): Promise<void> {
  const { dir, rootfs } = containerPaths(ctx, rec.id);
  const image = ctx.images.get(rec.imageId);
  const [m] = await ctx.snapshots.prepareContainer(dir, ctx.images.lowerDirs(image));
  await mount(m, rootfs);
  undo.push(() => unmount(rootfs, { lazy: true }));
}

/** Docker copies the image's content into a volume the first time an empty volume is mounted. */
async function prepareVolumes(ctx: EngineContext, rec: ContainerRecord): Promise<void> {
  const { rootfs } = containerPaths(ctx, rec.id);
  for (const m of rec.mounts) {
    if (m.type === 'volume') {
      if (!m.options.includes('nocopy')) {
        await ctx.volumes.copyUp(m.source, path.join(rootfs, m.target)).catch((e) => {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        });
      }
      ctx.events.emit('volume', 'mount', m.source, {
        container: rec.id, destination: m.target, driver: 'local', propagation: '', 'read/write': String(!m.readOnly),
      });
    } else if (m.type === 'bind') {
      const exists = await fs.stat(m.source).then(() => true, () => false);
      if (!exists) {
        if (!m.options.includes('create-host-path')) {
          throw invalid(`invalid mount config for type "bind": bind source path does not exist: ${m.source}`);
        }
        await fs.mkdir(m.source, { recursive: true });
      }
    }
  }
}

async function attachNetwork(ctx: EngineContext, rec: ContainerRecord, undo: Undo[]): Promise<NetworkEndpoint | null> {
  if (rec.spec.host.networkMode !== 'bridge') return null;
  const ep = await ctx.network.attach(rec.id);
  undo.push(() => ctx.network.detach(rec.id));
  ctx.events.emit('network', 'connect', networkId(ctx), { container: rec.id, name: 'bridge', type: 'bridge' });
  return { ipAddress: ep.ipAddress, prefixLen: ep.prefixLen, gateway: ep.gateway, macAddress: ep.macAddress, netnsPath: ep.netnsPath };
}

export const networkId = (ctx: EngineContext) => `berth-${ctx.opts.bridge}`.padEnd(64, '0');

async function writeEtcFiles(rec: ContainerRecord, ep: NetworkEndpoint | null, dir: string): Promise<void> {
  const hostResolv = await fs.readFile('/etc/resolv.conf', 'utf8').catch(() => '');
  const hostname = rec.spec.host.networkMode === 'host' ? (await fs.readFile('/etc/hostname', 'utf8').catch(() => 'localhost')).trim() : rec.spec.hostname;
  const hosts =
    rec.spec.host.networkMode === 'host'
      ? await fs.readFile('/etc/hosts', 'utf8').catch(() => '')
      : hostsFile({ hostname, ip: ep?.ipAddress, extraHosts: rec.spec.host.extraHosts });
  await writeFileAtomic(path.join(dir, 'hosts'), hosts, 0o644);
  await writeFileAtomic(path.join(dir, 'hostname'), hostnameFile(hostname), 0o644);
  await writeFileAtomic(path.join(dir, 'resolv.conf'), resolvConf(hostResolv), 0o644);
}

async function ociSpec(ctx: EngineContext, rec: ContainerRecord, ep: NetworkEndpoint | null) {
  const { dir, rootfs } = containerPaths(ctx, rec.id);
  const s = rec.spec;
  const h = s.host;
  const user = await resolveUser(rootfs, s.user);
  const etc = ['hosts', 'hostname', 'resolv.conf'].map((f) => ({
    destination: `/etc/${f}`,
    type: 'bind',
    source: path.join(dir, f),
    options: ['rbind', 'rprivate', ...(h.readonlyRootfs ? ['ro'] : [])],
  }));
  const mounts = rec.mounts.map((m) =>
    m.type === 'tmpfs'
      ? { destination: m.target, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'noexec', ...m.options, ...(m.readOnly ? ['ro'] : [])] }
      : { destination: m.target, type: 'bind', source: m.hostPath, options: ['rbind', 'rprivate', ...(m.readOnly ? ['ro'] : [])] },
  );
  const hostname = s.host.networkMode === 'host' ? undefined : s.hostname;
  return buildSpec({
    rootfs,
    readonlyRootfs: h.readonlyRootfs,
    args: [rec.path, ...rec.args],
    env: withDefaults(s.env, s.tty, hostname),
    cwd: s.workingDir,
    user,
    tty: s.tty,
    openStdin: s.openStdin,
    hostname,
    capAdd: h.capAdd,
    capDrop: h.capDrop,
    privileged: h.privileged,
    bounding: ctx.hostCaps,
    network: h.networkMode === 'host' ? { mode: 'host' } : ep ? { mode: 'path', path: ep.netnsPath } : { mode: 'none' },
    mounts: [...etc, ...mounts],
    cgroupsPath: cgroupsPath(rec.id),
    resources: {
      memory: h.memory || undefined,
      memorySwap: h.memorySwap || undefined,
      nanoCpus: h.nanoCpus || undefined,
      cpuShares: h.cpuShares || undefined,
      pidsLimit: h.pidsLimit > 0 ? h.pidsLimit : undefined,
    },
    init: h.init,
    initPath: h.init ? INIT_PATH : undefined,
    hostDevices: h.privileged ? await hostDevices() : undefined,
  });
}

function withDefaults(env: string[], tty: boolean, hostname: string | undefined): string[] {
  const out = [...env];
  const has = (k: string) => out.some((e) => e.startsWith(`${k}=`));
  if (!has('PATH')) out.unshift('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
  if (hostname && !has('HOSTNAME')) out.push(`HOSTNAME=${hostname}`);
  if (tty && !has('TERM')) out.push('TERM=xterm');
  return out;
}

function portBindings(ctx: EngineContext, rec: ContainerRecord, ep: NetworkEndpoint | null): PortBinding[] {
  if (!ep) return [];
  const reqs = parsePortSpecs(rec.spec.host.portBindings, { publishAll: rec.spec.host.publishAllPorts, exposedPorts: rec.spec.exposedPorts });
  return reqs.map((r) => ({ ...r, containerIp: ep.ipAddress }));
}

function shimConfig(ctx: EngineContext, rec: ContainerRecord, ports: PortBinding[]): ShimConfig {
  const p = containerPaths(ctx, rec.id);
  return {
    id: rec.id,
    bundle: p.dir,
    runtime: ctx.runtime.path,
    runtimeRoot: ctx.runtime.root,
    socketPath: p.shimSocket,
    logPath: p.log,
    exitPath: p.exitFile,
    tty: rec.spec.tty,
    openStdin: rec.spec.openStdin,
    stdinOnce: rec.spec.stdinOnce,
    cgroupsPath: cgroupsPath(rec.id),
    cgroupVersion: ctx.cgroups.version,
    ports,
  } as ShimConfig;
}
