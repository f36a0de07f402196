// One subscription to engine.events for the whole app; each event is handed to the stores, which
// apply it as a change. If the stream drops, we resubscribe with backoff and reload once (the only
// full reload: events may have been missed while disconnected).
import type { EngineEvent } from '../../../protocol/src/api-shapes.ts';
import { berth, errorMessage } from '../berth-api.ts';
import { useContainers } from './containers-store.ts';
import { useEngine } from './engine-store.ts';
import { useImages } from './images-store.ts';
import { useTerminals } from './terminal-store.ts';
import { useVolumes } from './volumes-store.ts';

export function applyEngineEvent(e: EngineEvent): void {
  useContainers.getState().applyEvent(e);
  useImages.getState().applyEvent(e);
  useVolumes.getState().applyEvent(e);
  if (e.type === 'container' && e.action === 'destroy') useTerminals.getState().forget(e.id);
  if (e.type === 'daemon') void useEngine.getState().load();
}

function reloadLoaded(): void {
  if (useContainers.getState().loaded) void useContainers.getState().load();
  if (useImages.getState().loaded) void useImages.getState().load();
  if (useVolumes.getState().loaded) void useVolumes.getState().load();
  void useEngine.getState().load();
}

export function startLiveEvents(): () => void {
  let stop: (() => void) | undefined;
  let stopped = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let delay = 500;
  const connect = (reconnecting: boolean) => {
    useEngine.getState().setEvents('connecting');
    let opened = false;
    try {
      stop = berth().engine.events({}, (e) => {
        if (!opened) {
          opened = true;
          delay = 500;
          useEngine.getState().setEvents('live');
        }
        applyEngineEvent(e);
      }, (err) => {
        if (stopped) return;
        useEngine.getState().setEvents('lost', err ? errorMessage(err) : 'The event stream ended.');
        retry = setTimeout(() => connect(true), delay);
        delay = Math.min(delay * 2, 10_000);
      });
    } catch (err) {
      useEngine.getState().setEvents('lost', errorMessage(err));
      return;
    }
    // The stream sends nothing until something happens; treat a subscription that hasn't failed as live.
    setTimeout(() => {
      if (!stopped && useEngine.getState().events === 'connecting') useEngine.getState().setEvents('live');
    }, 300);
    if (reconnecting) reloadLoaded();
  };
  connect(false);
  return () => {
    stopped = true;
    clearTimeout(retry);
    stop?.();
  };
}
