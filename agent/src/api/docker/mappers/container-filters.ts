// `docker ps --filter …` and `container prune --filter …` predicates.
import { invalid } from '../../../errors.ts';
import type { ContainerRecord } from '../../../engine/types.ts';

const STATUSES = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];

export function labelMatches(labels: Record<string, string>, f: string): boolean {
  const i = f.indexOf('=');
  if (i < 0) return f in labels;
  const k = f.slice(0, i);
  const v = f.slice(i + 1);
  return k.endsWith('!') ? labels[k.slice(0, -1)] !== v : labels[k] === v;
}

export function containerFilter(
  filters: Map<string, string[]>,
  imageIdOf: (ref: string) => string | undefined,
): (c: ContainerRecord) => boolean {
  const known = ['status', 'name', 'label', 'ancestor', 'id', 'exited', 'network', 'volume', 'until', 'health', 'before', 'since', 'publish', 'expose', 'is-task', 'label!'];
  for (const k of filters.keys()) if (!known.includes(k)) throw invalid(`invalid filter '${k}'`);
  for (const s of filters.get('status') ?? []) {
    if (!STATUSES.includes(s)) throw invalid(`invalid filter 'status=${s}'`);
  }
  const any = (k: string, pred: (v: string) => boolean) => !filters.has(k) || filters.get(k)!.some(pred);
  return (c) =>
    any('status', (v) => c.state.status === v) &&
    any('name', (v) => new RegExp(v).test(`/${c.name}`)) &&
    (filters.get('label') ?? []).every((v) => labelMatches(c.spec.labels, v)) &&
    any('id', (v) => c.id.startsWith(v)) &&
    any('exited', (v) => c.state.status === 'exited' && c.state.exitCode === Number(v)) &&
    any('ancestor', (v) => c.spec.image === v || c.imageId === imageIdOf(v) || c.imageId.startsWith(`sha256:${v}`)) &&
    any('network', (v) => c.spec.host.networkMode === v) &&
    any('volume', (v) => c.mounts.some((m) => m.source === v || m.target === v)) &&
    any('until', (v) => Date.parse(c.created) < untilMs(v));
}

function untilMs(v: string): number {
  const m = /^(\d+)([smh])$/.exec(v);
  if (m) return Date.now() - Number(m[1]) * { s: 1000, m: 60000, h: 3600000 }[m[2] as 's' | 'm' | 'h'];
  return /^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v);
}
