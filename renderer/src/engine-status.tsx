// The sidebar's footer: is the engine running, and is the live event stream connected.
import { useEngine } from './stores/engine-store.ts';

export function EngineStatus() {
  const info = useEngine((s) => s.info);
  const error = useEngine((s) => s.error);
  const events = useEngine((s) => s.events);
  const eventsError = useEngine((s) => s.eventsError);
  const state = error ? 'error' : info?.state ?? 'starting';
  const label = error ? 'Engine unreachable' : info ? `Engine ${info.state}` : 'Connecting…';
  return (
    <div className="engine-status" data-testid="engine-status" data-state={state}>
      <span className={`dot dot-${state}`} aria-hidden="true" />
      <span>{label}</span>
      {info && <span className="muted small">{info.mode === 'vm' ? 'VM' : 'native'} · {info.version}</span>}
      {events === 'lost' && <span className="small warn" role="status" title={eventsError}>Live updates paused, reconnecting…</span>}
    </div>
  );
}
