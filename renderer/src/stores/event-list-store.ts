// A list the engine's events keep current: loaded once, then each relevant event patches what it
// can at once (`drop`) and queues one coalesced refetch — never a reload per event. Images and
// volumes share this shape; containers have their own, finer store.
import { create } from 'zustand';
import type { EngineEvent } from '../../../protocol/src/api-shapes.ts';
import { errorMessage } from '../berth-api.ts';
import { BatchQueue } from './batch-queue.ts';

export interface EventListState<T> {
  list: T[];
  loaded: boolean;
  loading: boolean;
  error?: string;
  load(): Promise<void>;
  applyEvent(e: EngineEvent): void;
  settled(): Promise<void>;
}

export interface EventListSpec<T> {
  fetch(): Promise<T[]>;
  relevant(e: EngineEvent): boolean;
  /** Items an event removes right away (before the refetch confirms it). */
  drop?(e: EngineEvent, item: T): boolean;
}

export function createEventListStore<T>(spec: EventListSpec<T>) {
  const refetch = new BatchQueue<string>(async () => {
    store.setState({ list: await spec.fetch(), loaded: true, error: undefined });
  });
  const store = create<EventListState<T>>()((set, get) => ({
    list: [],
    loaded: false,
    loading: false,
    async load() {
      set({ loading: true, error: undefined });
      try {
        set({ list: await spec.fetch(), loaded: true, loading: false });
      } catch (err) {
        set({ loading: false, error: errorMessage(err) });
      }
    },
    applyEvent(e) {
      if (!spec.relevant(e) || !get().loaded) return;
      const kept = spec.drop ? get().list.filter((item) => !spec.drop!(e, item)) : get().list;
      if (kept.length !== get().list.length) set({ list: kept });
      refetch.add(e.id);
    },
    settled: () => refetch.settled(),
  }));
  return store;
}
