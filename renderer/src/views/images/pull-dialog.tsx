// Pull: one bar per layer from the engine's progress stream; closing the dialog keeps the pull going.
import { useState } from 'react';
import { Dialog } from '../../components/dialog.tsx';
import { formatBytes } from '../../format.ts';
import { overallFraction, type LayerProgress } from '../../stores/pull-progress.ts';
import { usePulls } from '../../stores/pulls-store.ts';

function LayerBar({ layer }: { layer: LayerProgress }) {
  const known = layer.total !== undefined && layer.total > 0;
  const value = layer.done ? 1 : known ? Math.min((layer.current ?? 0) / (layer.total as number), 1) : undefined;
  return (
    <li className="layer-progress" data-testid={`pull-layer-${layer.id}`}>
      <span className="mono small">{layer.id}</span>
      <progress max={1} value={value} aria-label={`Layer ${layer.id}`} />
      <span className="small muted">{layer.status}{known && !layer.done ? ` ${formatBytes(layer.current ?? 0)} / ${formatBytes(layer.total as number)}` : ''}</span>
    </li>
  );
}

export function PullDialog({ onClose }: { onClose(): void }) {
  const pulls = usePulls((s) => s.pulls);
  const start = usePulls((s) => s.start);
  const clear = usePulls((s) => s.clear);
  const [ref, setRef] = useState('');
  const [shown, setShown] = useState<string | undefined>(() => Object.keys(pulls).pop());
  const pull = shown ? pulls[shown] : undefined;
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const r = ref.trim();
    if (!r) return;
    start(r);
    setShown(r);
  };
  const fraction = pull && overallFraction(pull);
  return (
    <Dialog title="Pull an image" onClose={onClose} wide testId="pull-dialog"
      footer={<>
        {pull && pull.state !== 'pulling' && <button type="button" className="button" onClick={() => { clear(pull.ref); setShown(undefined); }}>Clear</button>}
        <button type="button" className="button" onClick={onClose}>{pull?.state === 'pulling' ? 'Hide' : 'Close'}</button>
      </>}>
      <form className="inline-form" onSubmit={submit}>
        <label className="field grow">
          <span>Image reference</span>
          <input className="input mono" value={ref} onChange={(e) => setRef(e.target.value)} placeholder="registry.example:5000/app:1.0" autoFocus />
        </label>
        <button type="submit" className="button primary" disabled={!ref.trim() || pulls[ref.trim()]?.state === 'pulling'}>Pull</button>
      </form>
      {pull && (
        <div className="pull" data-testid="pull-progress" data-state={pull.state}>
          <h3 className="mono">{pull.ref}</h3>
          <progress className="pull-overall" max={1} value={fraction} aria-label="Overall progress" />
          {pull.state === 'done' && <p className="ok" role="status">Pulled {pull.ref}.</p>}
          {pull.state === 'error' && <p className="form-error" role="alert">Pull failed: {pull.error}</p>}
          <ul className="layer-list">{pull.layers.map((l) => <LayerBar key={l.id} layer={l} />)}</ul>
          {pull.messages.length > 0 && <ul className="pull-messages small muted">{pull.messages.map((m, i) => <li key={i}>{m}</li>)}</ul>}
        </div>
      )}
    </Dialog>
  );
}
