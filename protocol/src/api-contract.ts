// The one typed API between the desktop UI and the host: every method, its parameters and its
// result (rpc) or event type (stream). Electron IPC and the web mode's WebSocket both carry it
// through a generic proxy, so no channel string is ever written by hand.
import { z } from 'zod';
import {
  ContainerSummary, EngineEvent, EngineInfo, HostLimits, ImageLayer, ImageSummary, LogLine, PullProgress, RunRequest,
  Settings, StatsSample, VolumeSummary,
} from './api-shapes.ts';

interface Rpc<P extends z.ZodTypeAny, R extends z.ZodTypeAny> {
  kind: 'rpc';
  params: P;
  result: R;
}
interface Stream<P extends z.ZodTypeAny, E extends z.ZodTypeAny> {
  kind: 'stream';
  params: P;
  event: E;
}
const rpc = <P extends z.ZodTypeAny, R extends z.ZodTypeAny>(params: P, result: R): Rpc<P, R> => ({ kind: 'rpc', params, result });
const stream = <P extends z.ZodTypeAny, E extends z.ZodTypeAny>(params: P, event: E): Stream<P, E> => ({ kind: 'stream', params, event });

const none = z.object({}).strict().default({});
const byId = z.object({ id: z.string().min(1) });
const ok = z.object({ ok: z.literal(true) });

export const contract = {
  'engine.info': rpc(none, EngineInfo),
  'engine.events': stream(none, EngineEvent),
  'engine.restart': rpc(none, ok),

  'containers.list': rpc(z.object({ all: z.boolean().default(true) }), z.array(ContainerSummary)),
  'containers.inspect': rpc(byId, z.record(z.string(), z.unknown())),
  'containers.start': rpc(byId, ok),
  'containers.stop': rpc(byId, ok),
  'containers.restart': rpc(byId, ok),
  'containers.pause': rpc(byId, ok),
  'containers.unpause': rpc(byId, ok),
  'containers.remove': rpc(byId.extend({ force: z.boolean().default(false) }), ok),
  'containers.run': rpc(RunRequest, z.object({ id: z.string() })),
  'containers.logs': stream(byId.extend({ follow: z.boolean().default(true), tail: z.number().int().min(0).optional() }), LogLine),
  'containers.stats': stream(byId, StatsSample),

  'images.list': rpc(none, z.array(ImageSummary)),
  'images.history': rpc(byId, z.array(ImageLayer)),
  'images.pull': stream(z.object({ ref: z.string().min(1) }), PullProgress),
  'images.tag': rpc(byId.extend({ ref: z.string().min(1) }), ok),
  'images.remove': rpc(byId.extend({ force: z.boolean().default(false) }), ok),
  'images.prune': rpc(z.object({ all: z.boolean().default(false) }), z.object({ reclaimed: z.number() })),

  'volumes.list': rpc(none, z.array(VolumeSummary)),
  'volumes.create': rpc(z.object({ name: z.string().optional() }), VolumeSummary),
  'volumes.remove': rpc(z.object({ name: z.string().min(1), force: z.boolean().default(false) }), ok),
  'volumes.prune': rpc(none, z.object({ reclaimed: z.number() })),

  /** A TTY exec session that outlives the view showing it; output replays from a buffer on subscribe. */
  'terminal.open': rpc(z.object({ containerId: z.string().min(1), cols: z.number().int().positive(), rows: z.number().int().positive(), cmd: z.array(z.string()).optional() }), z.object({ sessionId: z.string() })),
  'terminal.output': stream(z.object({ sessionId: z.string() }), z.object({ data: z.string() })),
  'terminal.input': rpc(z.object({ sessionId: z.string(), data: z.string() }), ok),
  'terminal.resize': rpc(z.object({ sessionId: z.string(), cols: z.number().int().positive(), rows: z.number().int().positive() }), ok),
  'terminal.close': rpc(z.object({ sessionId: z.string() }), ok),

  'settings.get': rpc(none, z.object({ settings: Settings, limits: HostLimits })),
  'settings.update': rpc(Settings.partial(), z.object({ settings: Settings, restartNeeded: z.boolean() })),

  'troubleshoot.logs': rpc(z.object({ source: z.enum(['engine', 'vm']) }), z.object({ text: z.string() })),
  'troubleshoot.reset': rpc(none, ok),
} as const;

export type Contract = typeof contract;
export type MethodName = keyof Contract;
export type RpcName = { [K in MethodName]: Contract[K]['kind'] extends 'rpc' ? K : never }[MethodName];
export type StreamName = { [K in MethodName]: Contract[K]['kind'] extends 'stream' ? K : never }[MethodName];
export type ParamsOf<M extends MethodName> = z.input<Contract[M]['params']>;
export type ResultOf<M extends RpcName> = Contract[M] extends Rpc<z.ZodTypeAny, infer R> ? z.infer<R> : never;
export type EventOf<M extends StreamName> = Contract[M] extends Stream<z.ZodTypeAny, infer E> ? z.infer<E> : never;
