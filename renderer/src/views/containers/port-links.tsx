// Published ports as links to http://localhost:PORT (one per host port; IPv4 and IPv6 bindings of
// the same port are one link).
import type { PortMapping } from '../../../../protocol/src/api-shapes.ts';

export function publishedPorts(ports: PortMapping[]): PortMapping[] {
  const seen = new Set<string>();
  return ports.filter((p) => {
    const key = `${p.hostPort}/${p.proto}`;
    if (!p.hostPort || seen.has(key)) return false;
    seen.add(key);
    return true;
  }).sort((a, b) => a.hostPort - b.hostPort);
}

export function PortLinks({ ports }: { ports: PortMapping[] }) {
  const shown = publishedPorts(ports);
  if (shown.length === 0) return <span className="muted">—</span>;
  return (
    <span className="ports">
      {shown.map((p) => p.proto === 'tcp'
        ? <a key={`${p.hostPort}/tcp`} href={`http://localhost:${p.hostPort}`} target="_blank" rel="noreferrer" className="port-link">{p.hostPort}:{p.containerPort}</a>
        : <span key={`${p.hostPort}/udp`} className="port">{p.hostPort}:{p.containerPort}/udp</span>)}
    </span>
  );
}
