// Which host forwards a container needs, from its inspect JSON (NetworkSettings.Ports). The engine
// in the guest already publishes each binding on the guest's own hostPort (its userland proxy), so
// the link path forwards host IP:port → guest 127.0.0.1:port; the NAT path goes to the container's
// own IP and port instead.
import { z } from 'zod';
import type { PortForward } from '../../../protocol/src/link.ts';

const InspectSchema = z.object({
  Id: z.string(),
  State: z.object({ Running: z.boolean() }).partial().optional(),
  NetworkSettings: z.object({
    IPAddress: z.string(),
    Networks: z.record(z.object({ IPAddress: z.string().optional() }).nullable()).nullable(),
    Ports: z.record(z.array(z.object({ HostIp: z.string().optional(), HostPort: z.string() })).nullable()).nullable().optional(),
  }).partial().optional(),
});

export function publishedPorts(inspect: unknown): PortForward[] {
  const c = InspectSchema.parse(inspect);
  const out: PortForward[] = [];
  const ns = c.NetworkSettings;
  const containerIp = ns?.IPAddress || Object.values(ns?.Networks ?? {}).find((n) => n?.IPAddress)?.IPAddress || undefined;
  for (const [key, bindings] of Object.entries(ns?.Ports ?? {})) {
    const containerPort = Number(key.split('/')[0]);
    const proto = key.endsWith('/udp') ? 'udp' : key.endsWith('/tcp') || !key.includes('/') ? 'tcp' : undefined;
    if (!proto || !bindings) continue; // sctp is not forwarded
    for (const b of bindings) {
      const port = Number(b.HostPort);
      if (!Number.isInteger(port) || port < 1 || port > 65535) continue;
      out.push({
        containerId: c.Id, proto, hostIp: b.HostIp || '0.0.0.0', hostPort: port, guestIp: '127.0.0.1', guestPort: port,
        ...(containerIp && Number.isInteger(containerPort) && containerPort > 0 && containerPort <= 65535 ? { containerIp, containerPort } : {}),
      });
    }
  }
  return out;
}

export function forwardKey(f: PortForward): string {
  return `${f.proto}:${f.hostIp}:${f.hostPort}`;
}
