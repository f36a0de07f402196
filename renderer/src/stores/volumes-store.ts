// Volumes; a volume event (or a container created or destroyed, which changes "used by") leads to
// one coalesced refetch. The list has no per-volume query, so that refetch is the whole list.
import { create } from 'zustand';
import type { EngineEvent, VolumeSummary } from '../../../protocol/src/api-shapes.ts';
import { berth, errorMessage } from '../berth-api.ts';
import { BatchQueue } from './batch-queue.ts';

interface VolumesState {
  list: VolumeSummary[];
  loaded: boolean;
  loading: boolean;
  error?: string;
  load(): Promise<void>;
  applyEvent(e: EngineEvent): void;
  settled(): Promise<void>;
}

const refetch = new BatchQueue<string>(async () => {
  const list = await berth().volumes.list();
  useVolumes.setState({ list, loaded: true, error: undefined });
});

export const useVolumes = create<VolumesState>()((set, get) => ({
  list: [],
  loaded: false,
  loading: false,
  async load() {
    set({ loading: true, error: undefined });
    try {
      set({ list: await berth().volumes.list(), loaded: true, loading: false });
    } catch (err) {
      set({ loading: false, error: errorMessage(err) });
    }
  },
  applyEvent(e) {
    const relevant = (e.type === 'volume' && e.action !== 'mount' && e.action !== 'unmount') ||
      (e.type === 'container' && (e.action === 'create' || e.action === 'destroy'));
    if (!relevant || !get().loaded) return;
    if (e.type === 'volume' && e.action === 'destroy') set({ list: get().list.filter((v) => v.name !== e.id) });
    refetch.add(e.id);
  },
  settled: () => refetch.settled(),
}));
