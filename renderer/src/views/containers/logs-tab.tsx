// Logs: follows the stream, with search, timestamps and stderr told apart from stdout.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { LogLine } from '../../../../protocol/src/api-shapes.ts';
import { berth, errorMessage } from '../../berth-api.ts';
import { Empty } from '../../components/states.tsx';
import { useContainers } from '../../stores/containers-store.ts';
import { appendLines, formatLogTime, searchLines, splitMatches, type NumberedLine } from './log-buffer.ts';

export function LogsTab({ id }: { id: string }) {
  const [lines, setLines] = useState<NumberedLine[]>([]);
  const [error, setError] = useState<string>();
  const [ended, setEnded] = useState(false);
  const [epoch, setEpoch] = useState(0);
  const [query, setQuery] = useState('');
  const [timestamps, setTimestamps] = useState(false);
  const [follow, setFollow] = useState(true);
  const [received, setReceived] = useState(false);
  const state = useContainers((s) => s.byId[id]?.state);
  const box = useRef<HTMLDivElement>(null);
  const count = useRef(0);

  useEffect(() => {
    let pending: LogLine[] = [];
    let frame = 0;
    const flush = () => {
      frame = 0;
      const batch = pending;
      const first = count.current - batch.length;
      pending = [];
      setLines((prev) => appendLines(prev, batch, first));
    };
    setEnded(false);
    setError(undefined);
    let stop: () => void = () => undefined;
    try {
      // After a restart, only what's new: the earlier lines are already on screen.
      stop = berth().containers.logs({ id, follow: true, tail: epoch === 0 ? 1000 : 0 }, (line) => {
        count.current++;
        pending.push(line);
        setReceived(true);
        if (!frame) frame = requestAnimationFrame(flush);
      }, (err) => {
        if (err) setError(errorMessage(err));
        setEnded(true);
      });
    } catch (err) {
      setError(errorMessage(err));
    }
    const timer = setTimeout(() => setReceived(true), 400);
    return () => {
      stop();
      clearTimeout(timer);
      if (frame) cancelAnimationFrame(frame);
    };
  }, [id, epoch]);

  // The stream ends when the container stops; pick it up again when it runs again.
  useEffect(() => { if (ended && state === 'running') setEpoch((e) => e + 1); }, [ended, state]);

  const shown = useMemo(() => searchLines(lines, query), [lines, query]);

  useLayoutEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [shown, follow, timestamps]);

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
    if (atBottom !== follow) setFollow(atBottom);
  };

  return (
    <div className="logs" data-testid="logs">
      <div className="toolbar">
        <input type="search" className="input search" placeholder="Search logs" aria-label="Search logs" value={query} onChange={(e) => setQuery(e.target.value)} />
        <label className="check"><input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />Follow</label>
        <label className="check"><input type="checkbox" checked={timestamps} onChange={(e) => setTimestamps(e.target.checked)} />Timestamps</label>
        <button type="button" className="button" onClick={() => setLines([])}>Clear</button>
        <span className="muted small" aria-live="polite">
          {query ? `${shown.length} of ${lines.length} lines match` : `${lines.length} lines`}
          {ended && !error && ' · stream ended'}
        </span>
        <span className="legend small"><span className="legend-stdout">stdout</span><span className="legend-stderr">stderr</span></span>
      </div>
      {error && <p className="form-error" role="alert">Logs stopped: {error}</p>}
      <div ref={box} className="log-box" onScroll={onScroll} tabIndex={0} role="log" aria-label="Container logs">
        {shown.map((l) => (
          <div key={l.n} className={`log-line log-${l.stream}`} data-stream={l.stream}>
            {timestamps && <span className="log-time">{formatLogTime(l.time)}</span>}
            <span className="log-text">{splitMatches(l.text, query).map((part, i) => (i % 2 ? <mark key={i}>{part}</mark> : part))}</span>
          </div>
        ))}
        {received && lines.length === 0 && !error && <Empty title="No logs yet">The container hasn't written anything to stdout or stderr.</Empty>}
      </div>
    </div>
  );
}
