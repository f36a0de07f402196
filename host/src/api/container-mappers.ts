// Docker's container JSON ⇄ the UI's shapes: list rows with published ports, and the create body
// of a RunRequest.
import type { ApiImplementation, ContainerSummary, PortMapping } from '../../../protocol/src/index.ts';
import type { DockerContainer, DockerPort } from '../engine-client/docker-types.ts';
import { hostError } from '../engine-client/engine-api-error.ts';

export type RunParams = Parameters<ApiImplementation['containers.run']>[0];

const STATES = new Set<string>(['created', 'running', 'paused', 'restarting', 'exited', 'dead', 'removing']);

export function toContainerSummary(c: DockerContainer): ContainerSummary {
  return {
    id: c.Id,
    name: (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, ''),
    image: c.Image,
    imageId: c.ImageID,
    command: c.Command ?? '',
    created: c.Created * 1000,
    state: (STATES.has(c.State) ? c.State : 'dead') as ContainerSummary['state'],
    status: c.Status ?? '',
    ports: mapPorts(c.Ports ?? []),
    labels: c.Labels ?? {},
  };
}

/**
 * Published ports only (an exposed, unpublished port is no link to click). Docker lists a binding
 * once per address family (0.0.0.0 and ::); the UI wants it once, IPv4 first.
 */
export function mapPorts(ports: DockerPort[]): PortMapping[] {
  const seen = new Map<string, PortMapping>();
  for (const p of ports) {
    if (!p.PublicPort) continue;
    const proto = p.Type === 'udp' ? 'udp' : 'tcp';
    const key = `${p.PublicPort}/${p.PrivatePort}/${proto}`;
    const ip = p.IP ?? '0.0.0.0';
    const prev = seen.get(key);
    if (!prev || (prev.hostIp.includes(':') && !ip.includes(':'))) {
      seen.set(key, { hostIp: ip, hostPort: p.PublicPort, containerPort: p.PrivatePort, proto });
    }
  }
  return [...seen.values()].sort((a, b) => a.containerPort - b.containerPort || a.hostPort - b.hostPort);
}

const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** POST /containers/create body for the Run dialog's request. */
export function toCreateBody(r: RunParams): Record<string, unknown> {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of r.ports) {
    const key = `${p.containerPort}/${p.proto}`;
    exposed[key] = {};
    // Host port 0 asks the engine for a free one, as `-p 80` does.
    (bindings[key] ??= []).push({ HostIp: '', HostPort: p.hostPort ? String(p.hostPort) : '' });
  }
  const binds = r.volumes.map((v) => {
    if (!v.target.startsWith('/')) throw hostError('InvalidArgument', `volume target must be an absolute path in the container: ${v.target}`);
    if (!v.source.startsWith('/') && !VOLUME_NAME.test(v.source)) {
      throw hostError('InvalidArgument', `volume source must be a volume name or an absolute host path: ${v.source}`);
    }
    return `${v.source}:${v.target}${v.readOnly ? ':ro' : ''}`;
  });
  const hostConfig: Record<string, unknown> = { PortBindings: bindings, Binds: binds };
  if (r.cpus) hostConfig.NanoCpus = Math.round(r.cpus * 1e9);
  if (r.memoryMb) hostConfig.Memory = r.memoryMb * 1024 * 1024;
  return {
    Image: r.image,
    ...(r.cmd?.length ? { Cmd: r.cmd } : {}),
    Env: r.env,
    ExposedPorts: exposed,
    HostConfig: hostConfig,
  };
}
