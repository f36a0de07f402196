// Containers as the engine reports them, kept current by applying each engine event as a change.
import { create } from 'zustand';
import type { ContainerSummary, EngineEvent } from '../../../protocol/src/api-shapes.ts';
import { berth, errorMessage } from '../berth-api.ts';
import { BatchQueue } from './batch-queue.ts';
import { applyContainerEvent } from './container-events.ts';
import { notify } from './notices-store.ts';

export type ContainerAction = 'start' | 'stop' | 'restart' | 'pause' | 'unpause' | 'remove';

interface ContainersState {
  byId: Record<string, ContainerSummary>;
  loaded: boolean;
  loading: boolean;
  error?: string;
  /** id → the action in progress on it, to show and to disable buttons. */
  busy: Record<string, ContainerAction>;
  load(): Promise<void>;
  applyEvent(e: EngineEvent): void;
  act(id: string, action: ContainerAction): Promise<boolean>;
  /** Waits for queued refetches (tests). */
  settled(): Promise<void>;
}

/** Ids the engine destroyed: a refetch that raced the destroy must not bring them back. */
const gone = new Set<string>();

const refetch = new BatchQueue<string>(async (ids) => {
  const list = await berth().containers.list({ all: true });
  const fresh = new Map(list.map((c) => [c.id, c]));
  const byId = { ...useContainers.getState().byId };
  for (const id of ids) {
    const c = fresh.get(id);
    if (c && !gone.has(id)) byId[id] = c;
    else delete byId[id];
  }
  useContainers.setState({ byId });
});

export const useContainers = create<ContainersState>()((set, get) => ({
  byId: {},
  loaded: false,
  loading: false,
  busy: {},
  async load() {
    set({ loading: true, error: undefined });
    try {
      const list = await berth().containers.list({ all: true });
      set({ byId: Object.fromEntries(list.filter((c) => !gone.has(c.id)).map((c) => [c.id, c])), loaded: true, loading: false });
      gone.clear();
    } catch (err) {
      set({ loading: false, error: errorMessage(err) });
    }
  },
  applyEvent(e) {
    if (e.type !== 'container') return;
    if (e.action === 'destroy') gone.add(e.id);
    const effect = applyContainerEvent(get().byId, e);
    if (effect.byId !== get().byId) set({ byId: effect.byId });
    if (effect.refetch) refetch.add(e.id);
  },
  async act(id, action) {
    set({ busy: { ...get().busy, [id]: action } });
    const api = berth().containers;
    try {
      if (action === 'remove') await api.remove({ id, force: true });
      else await api[action]({ id });
      return true;
    } catch (err) {
      const name = get().byId[id]?.name ?? id.slice(0, 12);
      notify('error', `Could not ${action === 'remove' ? 'delete' : action} ${name}: ${errorMessage(err)}`);
      return false;
    } finally {
      const busy = { ...get().busy };
      delete busy[id];
      set({ busy });
    }
  },
  settled: () => refetch.settled(),
}));

/** Everything, newest first: for views that filter themselves. */
export const selectContainerList = (s: ContainersState): ContainerSummary[] => Object.values(s.byId);

export function containerName(id: string): string | undefined {
  return useContainers.getState().byId[id]?.name;
}
