// The engine's own (camelCase) description of containers. api/docker maps Docker's wire shapes to
// and from these; nothing below the API layer sees PascalCase.

export type RestartPolicyName = 'no' | 'always' | 'on-failure' | 'unless-stopped';

export interface MountSpec {
  type: 'bind' | 'volume' | 'tmpfs';
  /** Host path (bind) or volume name ('' = anonymous). */
  source: string;
  target: string;
  readOnly: boolean;
  /** tmpfs options such as size=64m, mode=1777; bind propagation etc. */
  options: string[];
  /** Set for volume mounts whose volume was created for this container. */
  anonymous?: boolean;
}

export interface ContainerSpec {
  name?: string;
  image: string;
  hostname: string;
  domainname: string;
  user: string;
  env: string[];
  cmd: string[] | null;
  entrypoint: string[] | null;
  workingDir: string;
  labels: Record<string, string>;
  tty: boolean;
  openStdin: boolean;
  stdinOnce: boolean;
  attachStdin: boolean;
  attachStdout: boolean;
  attachStderr: boolean;
  exposedPorts: string[];
  volumes: string[];
  stopSignal: string;
  stopTimeout: number | null;
  host: HostSpec;
}

export interface PortRequest {
  proto: 'tcp' | 'udp';
  hostIp: string;
  hostPort: number;
  containerPort: number;
}

export interface HostSpec {
  mounts: MountSpec[];
  portBindings: Record<string, Array<{ hostIp?: string; hostPort?: string }>>;
  publishAllPorts: boolean;
  networkMode: 'bridge' | 'host' | 'none';
  restartPolicy: { name: RestartPolicyName; maximumRetryCount: number };
  autoRemove: boolean;
  memory: number;
  memorySwap: number;
  nanoCpus: number;
  cpuShares: number;
  pidsLimit: number;
  readonlyRootfs: boolean;
  capAdd: string[];
  capDrop: string[];
  privileged: boolean;
  init: boolean;
  extraHosts: string[];
  /** Raw -v strings and --mount entries as the client sent them, echoed back by inspect. */
  binds: string[];
  tmpfs: Record<string, string>;
}

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'exited' | 'dead' | 'removing';

export interface PublishedPort extends PortRequest {
  containerIp: string;
}

export interface NetworkEndpoint {
  ipAddress: string;
  prefixLen: number;
  gateway: string;
  macAddress: string;
  netnsPath: string;
}

export interface ContainerState {
  status: ContainerStatus;
  pid: number;
  shimPid: number;
  exitCode: number;
  error: string;
  oomKilled: boolean;
  startedAt: string;
  finishedAt: string;
  restartCount: number;
  /** The user stopped it: unless-stopped must not bring it back. */
  stoppedByUser: boolean;
  ports: PublishedPort[];
  endpoint: NetworkEndpoint | null;
}

export interface ContainerRecord {
  id: string;
  name: string;
  created: string;
  imageId: string;
  /** Resolved process: entrypoint + cmd after merging with the image. */
  path: string;
  args: string[];
  spec: ContainerSpec;
  /** Mounts after resolving volumes (named and anonymous) to host paths. */
  mounts: Array<MountSpec & { hostPath: string }>;
  state: ContainerState;
}

export const emptyState = (): ContainerState => ({
  status: 'created',
  pid: 0,
  shimPid: 0,
  exitCode: 0,
  error: '',
  oomKilled: false,
  startedAt: '0001-01-01T00:00:00Z',
  finishedAt: '0001-01-01T00:00:00Z',
  restartCount: 0,
  stoppedByUser: false,
  ports: [],
  endpoint: null,
});
