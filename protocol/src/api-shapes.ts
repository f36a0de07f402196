// The shapes the desktop UI works with (camelCase, UI-oriented). host/ builds them from the
// engine; renderer/ shows them. Validated with zod where they cross a process boundary.
import { z } from 'zod';

export const PortMapping = z.object({ hostIp: z.string(), hostPort: z.number(), containerPort: z.number(), proto: z.enum(['tcp', 'udp']) });
export type PortMapping = z.infer<typeof PortMapping>;

export const ContainerState = z.enum(['created', 'running', 'paused', 'restarting', 'exited', 'dead', 'removing']);

export const ContainerSummary = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
  imageId: z.string(),
  command: z.string(),
  created: z.number(),
  state: ContainerState,
  status: z.string(),
  ports: z.array(PortMapping),
  labels: z.record(z.string(), z.string()),
});
export type ContainerSummary = z.infer<typeof ContainerSummary>;

export const ImageSummary = z.object({
  id: z.string(),
  tags: z.array(z.string()),
  digests: z.array(z.string()),
  created: z.number(),
  size: z.number(),
  containers: z.number(),
});
export type ImageSummary = z.infer<typeof ImageSummary>;

export const ImageLayer = z.object({ id: z.string(), createdBy: z.string(), created: z.number(), size: z.number(), comment: z.string() });
export type ImageLayer = z.infer<typeof ImageLayer>;

export const VolumeSummary = z.object({
  name: z.string(),
  driver: z.string(),
  mountpoint: z.string(),
  created: z.string(),
  labels: z.record(z.string(), z.string()),
  size: z.number(),
  usedBy: z.array(z.string()),
});
export type VolumeSummary = z.infer<typeof VolumeSummary>;

export const EngineInfo = z.object({
  mode: z.enum(['native', 'vm']),
  state: z.enum(['running', 'starting', 'stopped', 'error']),
  version: z.string(),
  apiVersion: z.string(),
  os: z.string(),
  kernel: z.string(),
  cpus: z.number(),
  memory: z.number(),
  containers: z.number(),
  running: z.number(),
  images: z.number(),
  socket: z.string(),
  error: z.string().optional(),
});
export type EngineInfo = z.infer<typeof EngineInfo>;

/** One engine event, as the UI applies it to its stores. */
export const EngineEvent = z.object({
  type: z.enum(['container', 'image', 'volume', 'network', 'daemon']),
  action: z.string(),
  id: z.string(),
  attributes: z.record(z.string(), z.string()),
  time: z.number(),
});
export type EngineEvent = z.infer<typeof EngineEvent>;

export const LogLine = z.object({ stream: z.enum(['stdout', 'stderr']), time: z.string(), text: z.string() });
export type LogLine = z.infer<typeof LogLine>;

export const StatsSample = z.object({
  time: z.number(),
  cpuPercent: z.number(),
  memoryUsage: z.number(),
  memoryLimit: z.number(),
  netRx: z.number(),
  netTx: z.number(),
  blockRead: z.number(),
  blockWrite: z.number(),
  pids: z.number(),
});
export type StatsSample = z.infer<typeof StatsSample>;

/** Docker's pull progress, per layer; the UI draws one bar per `id`. */
export const PullProgress = z.object({
  id: z.string().optional(),
  status: z.string(),
  current: z.number().optional(),
  total: z.number().optional(),
  error: z.string().optional(),
});
export type PullProgress = z.infer<typeof PullProgress>;

export const RunRequest = z.object({
  image: z.string().min(1),
  name: z.string().optional(),
  cmd: z.array(z.string()).optional(),
  env: z.array(z.string()).default([]),
  ports: z.array(z.object({ hostPort: z.number().int().min(0).max(65535), containerPort: z.number().int().min(1).max(65535), proto: z.enum(['tcp', 'udp']).default('tcp') })).default([]),
  volumes: z.array(z.object({ source: z.string().min(1), target: z.string().min(1), readOnly: z.boolean().default(false) })).default([]),
  cpus: z.number().positive().optional(),
  memoryMb: z.number().int().positive().optional(),
});
export type RunRequest = z.input<typeof RunRequest>;

export const Settings = z.object({
  cpus: z.number().int().min(1),
  memoryMb: z.number().int().min(512),
  diskGb: z.number().int().min(8),
  sharedFolders: z.array(z.string()),
  insecureRegistries: z.array(z.string()),
  registryMirrors: z.array(z.string()),
  startAtLogin: z.boolean(),
  theme: z.enum(['system', 'light', 'dark']),
});
export type Settings = z.infer<typeof Settings>;

export const HostLimits = z.object({ cpus: z.number(), memoryMb: z.number(), diskGb: z.number() });
export type HostLimits = z.infer<typeof HostLimits>;
