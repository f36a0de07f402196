// Inspect: the engine's full record of the container, as a tree or as raw JSON.
import { useEffect, useState } from 'react';
import type { ContainerSummary } from '../../../../protocol/src/api-shapes.ts';
import { berth, errorMessage } from '../../berth-api.ts';
import { ErrorState, Loading } from '../../components/states.tsx';
import { notify } from '../../stores/notices-store.ts';
import { JsonTree } from './json-tree.tsx';

export function InspectTab({ id, state }: { id: string; state: ContainerSummary['state'] }) {
  const [data, setData] = useState<Record<string, unknown>>();
  const [error, setError] = useState<string>();
  const [raw, setRaw] = useState(false);
  const [openDepth, setOpenDepth] = useState(1);
  const [attempt, setAttempt] = useState(0);

  // Refetched when the state changes, since inspect shows State, pid and network details.
  useEffect(() => {
    let live = true;
    berth().containers.inspect({ id }).then((d) => { if (live) { setData(d); setError(undefined); } }, (err) => { if (live) setError(errorMessage(err)); });
    return () => { live = false; };
  }, [id, state, attempt]);

  if (error) return <ErrorState title="Couldn't inspect the container" message={error} onRetry={() => setAttempt((a) => a + 1)} />;
  if (!data) return <Loading what="details" />;
  const text = JSON.stringify(data, null, 2);
  const copy = () => navigator.clipboard.writeText(text).then(() => notify('info', 'Copied the JSON.'), (err) => notify('error', `Couldn't copy: ${errorMessage(err)}`));
  return (
    <div className="inspect">
      <div className="toolbar">
        <label className="check"><input type="checkbox" checked={raw} onChange={(e) => setRaw(e.target.checked)} />Raw JSON</label>
        {!raw && <>
          <button type="button" className="button" onClick={() => setOpenDepth(99)}>Expand all</button>
          <button type="button" className="button" onClick={() => setOpenDepth(1)}>Collapse all</button>
        </>}
        <button type="button" className="button" onClick={() => void copy()}>Copy</button>
      </div>
      {raw ? <pre className="json-raw mono" tabIndex={0}>{text}</pre> : <JsonTree key={openDepth} value={data} openDepth={openDepth} />}
    </div>
  );
}
