// The Run dialog's fields, turned into a RunRequest with messages a person can act on.
import type { RunRequest } from '../../../../protocol/src/api-shapes.ts';

export interface PortRow {
  hostPort: string;
  containerPort: string;
  proto: 'tcp' | 'udp';
}

export interface RunForm {
  image: string;
  name: string;
  ports: PortRow[];
  env: string;
  volumes: string;
  cpus: string;
  memoryMb: string;
}

export function emptyRunForm(image: string): RunForm {
  return { image, name: '', ports: [], env: '', volumes: '', cpus: '', memoryMb: '' };
}

const lines = (s: string) => s.split('\n').map((l) => l.trim()).filter(Boolean);

export function parseRunForm(f: RunForm): { request?: RunRequest; errors: string[] } {
  const errors: string[] = [];
  const name = f.name.trim();
  if (name && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) errors.push('The name may use letters, digits, _ . and -, and must start with a letter or digit.');
  const ports: NonNullable<RunRequest['ports']> = [];
  for (const p of f.ports) {
    if (!p.hostPort.trim() && !p.containerPort.trim()) continue;
    const host = p.hostPort.trim() === '' ? 0 : Number(p.hostPort);
    const container = Number(p.containerPort);
    if (!Number.isInteger(container) || container < 1 || container > 65535) errors.push(`Container port "${p.containerPort}" must be 1-65535.`);
    else if (!Number.isInteger(host) || host < 0 || host > 65535) errors.push(`Host port "${p.hostPort}" must be 0-65535 (empty or 0 picks one).`);
    else ports.push({ hostPort: host, containerPort: container, proto: p.proto });
  }
  const env = lines(f.env);
  for (const e of env) if (!/^[^=\s]+=/.test(e)) errors.push(`Environment "${e}" should read KEY=value.`);
  const volumes: NonNullable<RunRequest['volumes']> = [];
  for (const v of lines(f.volumes)) {
    const parts = v.split(':');
    const readOnly = parts.length === 3 && parts[2] === 'ro';
    if ((parts.length !== 2 && !(parts.length === 3 && (parts[2] === 'ro' || parts[2] === 'rw'))) || !parts[0] || !parts[1].startsWith('/')) {
      errors.push(`Volume "${v}" should read source:/path/in/container (add :ro for read-only).`);
    } else volumes.push({ source: parts[0], target: parts[1], readOnly });
  }
  const cpus = f.cpus.trim() ? Number(f.cpus) : undefined;
  if (cpus !== undefined && !(cpus > 0)) errors.push('CPUs must be a positive number, like 0.5 or 2.');
  const memoryMb = f.memoryMb.trim() ? Number(f.memoryMb) : undefined;
  if (memoryMb !== undefined && !(Number.isInteger(memoryMb) && memoryMb >= 6)) errors.push('Memory must be a whole number of MB, at least 6.');
  if (!f.image.trim()) errors.push('Choose an image.');
  if (errors.length) return { errors };
  return { errors, request: { image: f.image.trim(), name: name || undefined, ports, env, volumes, cpus, memoryMb } };
}
