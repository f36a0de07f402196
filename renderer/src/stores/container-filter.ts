// The Containers view's search box and state filter, as a pure function of the list.
import type { ContainerSummary } from '../../../protocol/src/api-shapes.ts';

export type StateFilter = 'all' | 'running' | 'paused' | 'stopped';

export interface ContainerFilter {
  query: string;
  state: StateFilter;
}

function matchesState(c: ContainerSummary, state: StateFilter): boolean {
  switch (state) {
    case 'all': return true;
    case 'running': return c.state === 'running' || c.state === 'restarting';
    case 'paused': return c.state === 'paused';
    case 'stopped': return c.state === 'exited' || c.state === 'created' || c.state === 'dead';
  }
}

function matchesQuery(c: ContainerSummary, q: string): boolean {
  if (!q) return true;
  return c.name.toLowerCase().includes(q) || c.image.toLowerCase().includes(q) || c.id.startsWith(q) ||
    c.ports.some((p) => String(p.hostPort) === q);
}

/** Newest first, like `docker ps`. */
export function filterContainers(list: ContainerSummary[], f: ContainerFilter): ContainerSummary[] {
  const q = f.query.trim().toLowerCase();
  return list.filter((c) => matchesState(c, f.state) && matchesQuery(c, q)).sort((a, b) => b.created - a.created || a.name.localeCompare(b.name));
}
