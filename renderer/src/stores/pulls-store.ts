// Pulls in progress, kept outside the Pull dialog so closing it doesn't lose them.
import { create } from 'zustand';
import { berth, errorMessage } from '../berth-api.ts';
import { applyPullProgress, newPull, type PullView } from './pull-progress.ts';

interface PullsState {
  pulls: Record<string, PullView>;
  start(ref: string): void;
  clear(ref: string): void;
}

const stops = new Map<string, () => void>();

export const usePulls = create<PullsState>()((set, get) => {
  const update = (ref: string, f: (p: PullView) => PullView) => {
    const p = get().pulls[ref];
    if (p) set({ pulls: { ...get().pulls, [ref]: f(p) } });
  };
  return {
    pulls: {},
    start(ref) {
      if (get().pulls[ref]?.state === 'pulling') return;
      set({ pulls: { ...get().pulls, [ref]: newPull(ref) } });
      try {
        stops.set(ref, berth().images.pull({ ref }, (ev) => update(ref, (p) => applyPullProgress(p, ev)), (err) => {
          stops.delete(ref);
          update(ref, (p) => (err ? { ...p, state: 'error', error: errorMessage(err) } : p.state === 'error' ? p : { ...p, state: 'done' }));
        }));
      } catch (err) {
        update(ref, (p) => ({ ...p, state: 'error', error: errorMessage(err) }));
      }
    },
    clear(ref) {
      stops.get(ref)?.();
      stops.delete(ref);
      const pulls = { ...get().pulls };
      delete pulls[ref];
      set({ pulls });
    },
  };
});
