// Volumes; a volume event (or a container created or destroyed, which changes "used by") leads to
// one coalesced refetch. The list has no per-volume query, so that refetch is the whole list.
import type { VolumeSummary } from '../../../protocol/src/api-shapes.ts';
import { berth } from '../berth-api.ts';
import { createEventListStore } from './event-list-store.ts';

export const useVolumes = createEventListStore<VolumeSummary>({
  fetch: () => berth().volumes.list(),
  relevant: (e) =>
    (e.type === 'volume' && e.action !== 'mount' && e.action !== 'unmount') ||
    (e.type === 'container' && (e.action === 'create' || e.action === 'destroy')),
  drop: (e, v) => e.type === 'volume' && e.action === 'destroy' && v.name === e.id,
});
