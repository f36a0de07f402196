// Engine container records → Docker's inspect (GET /containers/{id}/json) and list shapes.
import type { ContainerRecord } from '../../../engine/types.ts';
import { humanDuration } from './human-duration.ts';

/** Engine-wide facts the container shapes mention. */
export interface EngineFacts {
  networkId: string;
  bridge: string;
  runtime: string;
}

function portsMap(rec: ContainerRecord): Record<string, Array<{ HostIp: string; HostPort: string }> | null> {
  const out: Record<string, Array<{ HostIp: string; HostPort: string }> | null> = {};
  for (const p of rec.spec.exposedPorts) out[p] = null;
  for (const p of rec.state.ports) {
    const key = `${p.containerPort}/${p.proto}`;
    (out[key] ??= []).push({ HostIp: p.hostIp || '0.0.0.0', HostPort: String(p.hostPort) });
  }
  return out;
}

function networks(rec: ContainerRecord, net: EngineFacts) {
  const mode = rec.spec.host.networkMode;
  const ep = rec.state.endpoint;
  return {
    [mode]: {
      IPAMConfig: null,
      Links: null,
      Aliases: null,
      MacAddress: ep?.macAddress ?? '',
      NetworkID: mode === 'bridge' ? net.networkId : mode,
      EndpointID: ep ? rec.id.slice(0, 64) : '',
      Gateway: ep?.gateway ?? '',
      IPAddress: ep?.ipAddress ?? '',
      IPPrefixLen: ep?.prefixLen ?? 0,
      IPv6Gateway: '',
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      DriverOpts: null,
      DNSNames: null,
    },
  };
}

export function mountsJson(rec: ContainerRecord) {
  return rec.mounts.map((m) => ({
    Type: m.type,
    ...(m.type === 'volume' ? { Name: m.source, Driver: 'local' } : {}),
    Source: m.hostPath,
    Destination: m.target,
    Mode: m.type === 'bind' ? (m.readOnly ? 'ro' : '') : m.type === 'volume' ? 'z' : '',
    RW: !m.readOnly,
    Propagation: m.type === 'bind' ? 'rprivate' : '',
  }));
}

export function inspectJson(rec: ContainerRecord, net: EngineFacts, dirs: { dir: string; log: string }) {
  const s = rec.spec;
  const h = s.host;
  const st = rec.state;
  const ep = st.endpoint;
  return {
    Id: rec.id,
    Created: rec.created,
    Path: rec.path,
    Args: rec.args,
    State: {
      Status: st.status,
      Running: st.status === 'running' || st.status === 'paused',
      Paused: st.status === 'paused',
      Restarting: st.status === 'restarting',
      OOMKilled: st.oomKilled,
      Dead: st.status === 'dead',
      Pid: st.pid,
      ExitCode: st.exitCode,
      Error: st.error,
      StartedAt: st.startedAt,
      FinishedAt: st.finishedAt,
    },
    Image: rec.imageId,
    ResolvConfPath: `${dirs.dir}/resolv.conf`,
    HostnamePath: `${dirs.dir}/hostname`,
    HostsPath: `${dirs.dir}/hosts`,
    LogPath: dirs.log,
    Name: `/${rec.name}`,
    RestartCount: st.restartCount,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: {
      Binds: h.binds.length ? h.binds : null,
      ContainerIDFile: '',
      LogConfig: { Type: 'json-file', Config: {} },
      NetworkMode: h.networkMode,
      PortBindings: Object.fromEntries(Object.entries(h.portBindings).map(([k, v]) => [k, v.map((b) => ({ HostIp: b.hostIp ?? '', HostPort: b.hostPort ?? '' }))])),
      RestartPolicy: { Name: h.restartPolicy.name, MaximumRetryCount: h.restartPolicy.maximumRetryCount },
      AutoRemove: h.autoRemove,
      VolumeDriver: '',
      VolumesFrom: null,
      CapAdd: h.capAdd.length ? h.capAdd : null,
      CapDrop: h.capDrop.length ? h.capDrop : null,
      Dns: [],
      DnsOptions: [],
      DnsSearch: [],
      ExtraHosts: h.extraHosts.length ? h.extraHosts : null,
      IpcMode: 'private',
      PidMode: '',
      Privileged: h.privileged,
      PublishAllPorts: h.publishAllPorts,
      ReadonlyRootfs: h.readonlyRootfs,
      Tmpfs: Object.keys(h.tmpfs).length ? h.tmpfs : undefined,
      UTSMode: '',
      ShmSize: 67108864,
      Runtime: net.runtime,
      Memory: h.memory,
      MemorySwap: h.memorySwap || (h.memory ? h.memory * 2 : 0),
      NanoCpus: h.nanoCpus,
      CpuShares: h.cpuShares,
      PidsLimit: h.pidsLimit || null,
      Init: h.init || null,
    },
    GraphDriver: { Name: 'overlay2', Data: { UpperDir: `${dirs.dir}/upper`, WorkDir: `${dirs.dir}/work`, MergedDir: `${dirs.dir}/rootfs` } },
    Mounts: mountsJson(rec),
    Config: {
      Hostname: s.hostname,
      Domainname: s.domainname,
      User: s.user,
      AttachStdin: s.attachStdin,
      AttachStdout: s.attachStdout,
      AttachStderr: s.attachStderr,
      ExposedPorts: s.exposedPorts.length ? Object.fromEntries(s.exposedPorts.map((p) => [p, {}])) : undefined,
      Tty: s.tty,
      OpenStdin: s.openStdin,
      StdinOnce: s.stdinOnce,
      Env: s.env,
      Cmd: s.cmd && s.cmd.length ? s.cmd : null,
      Image: s.image,
      Volumes: s.volumes.length ? Object.fromEntries(s.volumes.map((v) => [v, {}])) : null,
      WorkingDir: s.workingDir,
      Entrypoint: s.entrypoint && s.entrypoint.length ? s.entrypoint : null,
      OnBuild: null,
      Labels: s.labels,
      StopSignal: s.stopSignal,
      ...(s.stopTimeout !== null ? { StopTimeout: s.stopTimeout } : {}),
    },
    NetworkSettings: {
      Bridge: '',
      SandboxID: ep ? rec.id : '',
      SandboxKey: ep?.netnsPath ?? '',
      Ports: portsMap(rec),
      HairpinMode: false,
      LinkLocalIPv6Address: '',
      LinkLocalIPv6PrefixLen: 0,
      SecondaryIPAddresses: null,
      SecondaryIPv6Addresses: null,
      EndpointID: ep ? rec.id : '',
      Gateway: ep?.gateway ?? '',
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      IPAddress: ep?.ipAddress ?? '',
      IPPrefixLen: ep?.prefixLen ?? 0,
      IPv6Gateway: '',
      MacAddress: ep?.macAddress ?? '',
      Networks: networks(rec, net),
    },
  };
}

export function statusText(rec: ContainerRecord, now = Date.now()): string {
  const st = rec.state;
  switch (st.status) {
    case 'running':
      return `Up ${humanDuration(now - Date.parse(st.startedAt))}`;
    case 'paused':
      return `Up ${humanDuration(now - Date.parse(st.startedAt))} (Paused)`;
    case 'restarting':
      return `Restarting (${st.exitCode}) ${humanDuration(now - Date.parse(st.finishedAt))} ago`;
    case 'exited':
      return `Exited (${st.exitCode}) ${humanDuration(now - Date.parse(st.finishedAt))} ago`;
    case 'created':
      return 'Created';
    case 'removing':
      return 'Removal In Progress';
    default:
      return 'Dead';
  }
}

export function listJson(rec: ContainerRecord, net: EngineFacts) {
  const cmd = [rec.path, ...rec.args].map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ');
  return {
    Id: rec.id,
    Names: [`/${rec.name}`],
    Image: rec.spec.image,
    ImageID: rec.imageId,
    Command: cmd,
    Created: Math.floor(Date.parse(rec.created) / 1000),
    Ports: rec.state.ports.length
      ? rec.state.ports.map((p) => ({ IP: p.hostIp || '0.0.0.0', PrivatePort: p.containerPort, PublicPort: p.hostPort, Type: p.proto }))
      : rec.spec.exposedPorts.map((p) => ({ PrivatePort: Number(p.split('/')[0]), Type: p.split('/')[1] ?? 'tcp' })),
    Labels: rec.spec.labels,
    State: rec.state.status,
    Status: statusText(rec),
    HostConfig: { NetworkMode: rec.spec.host.networkMode },
    NetworkSettings: { Networks: networks(rec, net) },
    Mounts: mountsJson(rec),
  };
}
