// Terminal sessions by container: the session outlives the Terminal tab, so coming back
// re-subscribes to the same session and the host replays its buffer.
import { create } from 'zustand';
import { berth } from '../berth-api.ts';

interface TerminalsState {
  sessions: Record<string, string>;
  /** The container's session, opening one if there is none. */
  session(containerId: string, cols: number, rows: number): Promise<string>;
  forget(containerId: string): void;
  close(containerId: string): Promise<void>;
}

const opening = new Map<string, Promise<string>>();

export const useTerminals = create<TerminalsState>()((set, get) => ({
  sessions: {},
  session(containerId, cols, rows) {
    const existing = get().sessions[containerId];
    if (existing) return Promise.resolve(existing);
    let p = opening.get(containerId);
    if (!p) {
      p = berth().terminal.open({ containerId, cols, rows })
        .then(({ sessionId }) => {
          set({ sessions: { ...get().sessions, [containerId]: sessionId } });
          return sessionId;
        })
        .finally(() => opening.delete(containerId));
      opening.set(containerId, p);
    }
    return p;
  },
  forget(containerId) {
    if (!(containerId in get().sessions)) return;
    const sessions = { ...get().sessions };
    delete sessions[containerId];
    set({ sessions });
  },
  async close(containerId) {
    const sessionId = get().sessions[containerId];
    get().forget(containerId);
    if (sessionId) await berth().terminal.close({ sessionId }).catch(() => undefined);
  },
}));
