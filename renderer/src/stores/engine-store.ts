// The engine's identity and state, and whether the live event stream is connected.
import { create } from 'zustand';
import type { EngineInfo } from '../../../protocol/src/api-shapes.ts';
import { berth, errorMessage } from '../berth-api.ts';

export type EventsState = 'connecting' | 'live' | 'lost';

interface EngineState {
  info?: EngineInfo;
  loading: boolean;
  error?: string;
  events: EventsState;
  eventsError?: string;
  load(): Promise<void>;
  setEvents(events: EventsState, eventsError?: string): void;
}

export const useEngine = create<EngineState>()((set) => ({
  loading: false,
  events: 'connecting',
  async load() {
    set({ loading: true });
    try {
      set({ info: await berth().engine.info(), loading: false, error: undefined });
    } catch (err) {
      set({ loading: false, error: errorMessage(err) });
    }
  },
  setEvents(events, eventsError) {
    set({ events, eventsError });
  },
}));
