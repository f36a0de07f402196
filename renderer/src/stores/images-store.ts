// Images; the engine's image events (pull, tag, untag, delete, load) each lead to one coalesced refetch.
import type { ImageSummary } from '../../../protocol/src/api-shapes.ts';
import { berth } from '../berth-api.ts';
import { createEventListStore } from './event-list-store.ts';

export const useImages = createEventListStore<ImageSummary>({
  fetch: () => berth().images.list(),
  // A container's create or destroy changes an image's container count; only then do we care.
  relevant: (e) => e.type === 'image' || (e.type === 'container' && (e.action === 'create' || e.action === 'destroy')),
  drop: (e, i) => e.type === 'image' && e.action === 'delete' && (i.id === e.id || i.id === `sha256:${e.id}`),
});
