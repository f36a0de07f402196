// Images; the engine's image events (pull, tag, untag, delete, load) each lead to one coalesced refetch.
import { create } from 'zustand';
import type { EngineEvent, ImageSummary } from '../../../protocol/src/api-shapes.ts';
import { berth, errorMessage } from '../berth-api.ts';
import { BatchQueue } from './batch-queue.ts';

interface ImagesState {
  list: ImageSummary[];
  loaded: boolean;
  loading: boolean;
  error?: string;
  load(): Promise<void>;
  applyEvent(e: EngineEvent): void;
  settled(): Promise<void>;
}

const refetch = new BatchQueue<string>(async () => {
  const list = await berth().images.list();
  useImages.setState({ list, loaded: true, error: undefined });
});

export const useImages = create<ImagesState>()((set, get) => ({
  list: [],
  loaded: false,
  loading: false,
  async load() {
    set({ loading: true, error: undefined });
    try {
      set({ list: await berth().images.list(), loaded: true, loading: false });
    } catch (err) {
      set({ loading: false, error: errorMessage(err) });
    }
  },
  applyEvent(e) {
    // A container's create or destroy changes an image's container count; only then do we care.
    const relevant = e.type === 'image' || (e.type === 'container' && (e.action === 'create' || e.action === 'destroy'));
    if (!relevant || !get().loaded) return;
    if (e.type === 'image' && e.action === 'delete') {
      set({ list: get().list.filter((i) => i.id !== e.id && i.id !== `sha256:${e.id}`) });
    }
    refetch.add(e.id);
  },
  settled: () => refetch.settled(),
}));
