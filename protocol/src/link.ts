// The agent link: what the host and the guest's link service (agent/src/link) agree on.
// Transport is SSH (ssh2 on both ends); these are the names, defaults and the few JSON shapes
// that travel over it, validated with zod on arrival.
import { z } from 'zod';

export * from './link-wire.ts';

export const GuestStatusSchema = z.object({
  uptimeSeconds: z.number(),
  engineSocket: z.boolean(),
  loadAverage: z.array(z.number()),
  memTotalBytes: z.number(),
  memFreeBytes: z.number(),
  nodeVersion: z.string(),
  pty: z.enum(['node-pty', 'script', 'none']),
});
export type GuestStatus = z.infer<typeof GuestStatusSchema>;

export const PortProtoSchema = z.enum(['tcp', 'udp']);
/** One published port as the host forwards it: host IP:port → guest IP:port. */
export const PortForwardSchema = z.object({
  containerId: z.string(),
  proto: PortProtoSchema,
  hostIp: z.string(),
  hostPort: z.number().int().min(1).max(65535),
  guestIp: z.string(),
  guestPort: z.number().int().min(1).max(65535),
  /** The container's own address and port on the guest's bridge (the NAT path goes straight there). */
  containerIp: z.string().optional(),
  containerPort: z.number().int().min(1).max(65535).optional(),
  /** How the host reaches the guest: QEMU's user-mode NAT + a DNAT in the guest, or the link. */
  via: z.enum(['nat', 'link']).optional(),
});
export type PortForward = z.infer<typeof PortForwardSchema>;

/** Progress and state events the host agent reports (one JSON object a line), Lima-style. */
export const HostAgentEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), time: z.string(), message: z.string() }),
  z.object({ type: z.literal('ready'), time: z.string(), socket: z.string(), linkPort: z.number() }),
  z.object({ type: z.literal('port'), time: z.string(), forward: PortForwardSchema, state: z.enum(['open', 'closed', 'error']), error: z.string().optional() }),
  z.object({ type: z.literal('error'), time: z.string(), message: z.string() }),
  z.object({ type: z.literal('exit'), time: z.string(), message: z.string() }),
]);
export type HostAgentEvent = z.infer<typeof HostAgentEventSchema>;
