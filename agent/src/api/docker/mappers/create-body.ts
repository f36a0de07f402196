// Docker's POST /containers/create body → the engine's ContainerSpec. Shapes are checked with zod
// at this edge; the engine trusts what it gets.
import path from 'node:path';
import { z } from 'zod';
import { EngineError, invalid } from '../../../errors.ts';
import type { ContainerSpec, MountSpec, RestartPolicyName } from '../../../engine/types.ts';

const strArr = z.array(z.string()).nullish();
const strMap = z.record(z.string(), z.string()).nullish();
const objMap = z.record(z.string(), z.unknown()).nullish();

const MountBody = z.object({
  Type: z.string(),
  Source: z.string().optional(),
  Target: z.string(),
  ReadOnly: z.boolean().optional(),
  TmpfsOptions: z.object({ SizeBytes: z.number().optional(), Mode: z.number().optional() }).nullish(),
}).passthrough();

const HostConfigBody = z.object({
  Binds: strArr,
  PortBindings: z.record(z.string(), z.array(z.object({ HostIp: z.string().optional(), HostPort: z.string().optional() })).nullable()).nullish(),
  PublishAllPorts: z.boolean().nullish(),
  NetworkMode: z.string().nullish(),
  RestartPolicy: z.object({ Name: z.string().optional(), MaximumRetryCount: z.number().optional() }).nullish(),
  AutoRemove: z.boolean().nullish(),
  Memory: z.number().nullish(),
  MemorySwap: z.number().nullish(),
  NanoCpus: z.number().nullish(),
  CpuShares: z.number().nullish(),
  PidsLimit: z.number().nullish(),
  ReadonlyRootfs: z.boolean().nullish(),
  CapAdd: strArr,
  CapDrop: strArr,
  Privileged: z.boolean().nullish(),
  Init: z.boolean().nullish(),
  ExtraHosts: strArr,
  Mounts: z.array(MountBody).nullish(),
  Tmpfs: strMap,
}).passthrough();

export const CreateBody = z.object({
  Hostname: z.string().nullish(),
  Domainname: z.string().nullish(),
  User: z.string().nullish(),
  AttachStdin: z.boolean().nullish(),
  AttachStdout: z.boolean().nullish(),
  AttachStderr: z.boolean().nullish(),
  ExposedPorts: objMap,
  Tty: z.boolean().nullish(),
  OpenStdin: z.boolean().nullish(),
  StdinOnce: z.boolean().nullish(),
  Env: strArr,
  Cmd: z.union([z.array(z.string()), z.string()]).nullish(),
  Entrypoint: z.union([z.array(z.string()), z.string()]).nullish(),
  Image: z.string({ message: 'No image specified' }).min(1, 'No image specified'),
  Volumes: objMap,
  WorkingDir: z.string().nullish(),
  Labels: strMap,
  StopSignal: z.string().nullish(),
  StopTimeout: z.number().nullish(),
  HostConfig: HostConfigBody.nullish(),
}).passthrough();

export function parseCreateBody(raw: unknown, name: string | null): ContainerSpec {
  const parsed = CreateBody.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(issue.path.length && issue.path[0] !== 'Image' ? `invalid ${issue.path.join('.')}: ${issue.message}` : issue.message);
  }
  const b = parsed.data;
  const h = b.HostConfig ?? {};
  const asArr = (v: string[] | string | null | undefined) => (v == null ? null : typeof v === 'string' ? [v] : v);
  const ep = asArr(b.Entrypoint);
  return {
    name: name || undefined,
    image: b.Image,
    hostname: b.Hostname ?? '',
    domainname: b.Domainname ?? '',
    user: b.User ?? '',
    env: b.Env ?? [],
    cmd: asArr(b.Cmd),
    // An empty entrypoint from the CLI (--entrypoint "") means "reset the image's entrypoint".
    entrypoint: ep && ep.length === 1 && ep[0] === '' ? [] : ep,
    workingDir: b.WorkingDir ?? '',
    labels: b.Labels ?? {},
    tty: !!b.Tty,
    openStdin: !!b.OpenStdin,
    stdinOnce: !!b.StdinOnce,
    attachStdin: !!b.AttachStdin,
    attachStdout: !!b.AttachStdout,
    attachStderr: !!b.AttachStderr,
    exposedPorts: Object.keys(b.ExposedPorts ?? {}).map((p) => (p.includes('/') ? p : `${p}/tcp`)),
    volumes: Object.keys(b.Volumes ?? {}),
    stopSignal: b.StopSignal ?? '',
    stopTimeout: b.StopTimeout ?? null,
    host: {
      mounts: [...(h.Binds ?? []).map(parseBind), ...(h.Mounts ?? []).map(parseMount), ...Object.entries(h.Tmpfs ?? {}).map(parseTmpfs)],
      portBindings: Object.fromEntries(Object.entries(h.PortBindings ?? {}).map(([k, v]) => [k, (v ?? []).map((x) => ({ hostIp: x.HostIp, hostPort: x.HostPort }))])),
      publishAllPorts: !!h.PublishAllPorts,
      networkMode: networkMode(h.NetworkMode),
      restartPolicy: restartPolicy(h.RestartPolicy?.Name, h.RestartPolicy?.MaximumRetryCount),
      autoRemove: !!h.AutoRemove,
      memory: h.Memory ?? 0,
      memorySwap: h.MemorySwap ?? 0,
      nanoCpus: h.NanoCpus ?? 0,
      cpuShares: h.CpuShares ?? 0,
      pidsLimit: h.PidsLimit ?? 0,
      readonlyRootfs: !!h.ReadonlyRootfs,
      capAdd: h.CapAdd ?? [],
      capDrop: h.CapDrop ?? [],
      privileged: !!h.Privileged,
      init: !!h.Init,
      extraHosts: h.ExtraHosts ?? [],
      binds: h.Binds ?? [],
      tmpfs: h.Tmpfs ?? {},
    },
  };
}

function networkMode(m: string | null | undefined): ContainerSpec['host']['networkMode'] {
  if (!m || m === 'default' || m === 'bridge') return 'bridge';
  if (m === 'host' || m === 'none') return m;
  if (m.startsWith('container:')) throw new EngineError('NotImplemented', 'network mode "container:" is not supported yet');
  throw new EngineError('NotFound', `network ${m} not found`);
}

function restartPolicy(name: string | undefined, max: number | undefined): ContainerSpec['host']['restartPolicy'] {
  const n = name || 'no';
  if (!['no', 'always', 'on-failure', 'unless-stopped'].includes(n)) throw invalid(`invalid restart policy: unknown policy '${n}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  if ((max ?? 0) < 0) throw invalid('invalid restart policy: maximum retry count cannot be negative');
  return { name: n as RestartPolicyName, maximumRetryCount: max ?? 0 };
}

/** -v src:dst[:opts]. An absolute src is a bind (made if missing, as Docker does); otherwise a volume name. */
export function parseBind(spec: string): MountSpec {
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > 3 || !parts[0] || !parts[1]) throw invalid(`invalid volume specification: '${spec}'`);
  const [src, dst, opts = ''] = parts;
  const flags = opts ? opts.split(',') : [];
  for (const f of flags) {
    if (!['ro', 'rw', 'z', 'Z', 'nocopy', 'rprivate', 'private', 'rshared', 'shared', 'rslave', 'slave'].includes(f)) throw invalid(`invalid mode: ${f}`);
  }
  if (!path.isAbsolute(dst)) throw invalid(`invalid volume specification: '${spec}': invalid mount config for type "${src.startsWith('/') ? 'bind' : 'volume'}": invalid mount path: '${dst}' mount path must be absolute`);
  const readOnly = flags.includes('ro');
  if (path.isAbsolute(src)) return { type: 'bind', source: path.normalize(src), target: dst, readOnly, options: ['create-host-path'] };
  if (src.startsWith('.') || src.includes('/')) {
    throw invalid(`create ${src}: "${src}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
  }
  return { type: 'volume', source: src, target: dst, readOnly, options: flags.includes('nocopy') ? ['nocopy'] : [] };
}

function parseMount(m: z.infer<typeof MountBody>): MountSpec {
  const type = m.Type;
  if (type !== 'bind' && type !== 'volume' && type !== 'tmpfs') throw invalid(`mount type unknown: "${type}"`);
  if (!m.Target) throw invalid(`invalid mount config for type "${type}": field Target must not be empty`);
  if (type === 'bind') {
    if (!m.Source) throw invalid('invalid mount config for type "bind": field Source must not be empty');
    if (!path.isAbsolute(m.Source)) throw invalid(`invalid mount config for type "bind": invalid mount path: '${m.Source}' mount path must be absolute`);
  }
  if (type === 'tmpfs' && m.Source) throw invalid('invalid mount config for type "tmpfs": field Source must not be specified');
  const opts: string[] = [];
  if (type === 'tmpfs') {
    if (m.TmpfsOptions?.SizeBytes) opts.push(`size=${m.TmpfsOptions.SizeBytes}`);
    if (m.TmpfsOptions?.Mode) opts.push(`mode=${m.TmpfsOptions.Mode.toString(8)}`);
  }
  return { type, source: type === 'bind' ? path.normalize(m.Source!) : (m.Source ?? ''), target: m.Target, readOnly: !!m.ReadOnly, options: opts };
}

function parseTmpfs([target, opts]: [string, string]): MountSpec {
  const flags = opts ? opts.split(',') : [];
  return { type: 'tmpfs', source: '', target, readOnly: flags.includes('ro'), options: flags.filter((f) => f !== 'ro' && f !== 'rw') };
}
