// How one engine event changes the container list, as a pure function: the immediate patch it
// implies, and whether the row must be refetched for the engine's own status text.
import type { ContainerSummary, EngineEvent } from '../../../protocol/src/api-shapes.ts';

type State = ContainerSummary['state'];

const STATE_AFTER: Record<string, State> = {
  start: 'running',
  restart: 'running',
  unpause: 'running',
  pause: 'paused',
  die: 'exited',
  stop: 'exited',
};

/** Events that change nothing the list shows. */
const NO_CHANGE = new Set([
  'exec_create', 'exec_start', 'exec_die', 'exec_detach', 'attach', 'detach', 'resize', 'top', 'export', 'copy',
  'archive-path', 'extract-to-dir', 'commit',
]);

export interface ContainerEventEffect {
  byId: Record<string, ContainerSummary>;
  refetch: boolean;
}

export function applyContainerEvent(byId: Record<string, ContainerSummary>, e: EngineEvent): ContainerEventEffect {
  const action = e.action.split(':')[0];
  if (action === 'destroy') {
    if (!(e.id in byId)) return { byId, refetch: false };
    const next = { ...byId };
    delete next[e.id];
    return { byId: next, refetch: false };
  }
  if (NO_CHANGE.has(action)) return { byId, refetch: false };
  const current = byId[e.id];
  const state = STATE_AFTER[action];
  let next = byId;
  if (current && state && current.state !== state) next = { ...byId, [e.id]: { ...current, state } };
  if (current && action === 'rename' && e.attributes.name) {
    next = { ...next, [e.id]: { ...next[e.id], name: e.attributes.name.replace(/^\//, '') } };
  }
  return { byId: next, refetch: true };
}
