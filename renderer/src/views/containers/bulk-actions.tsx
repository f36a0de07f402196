// Actions on the checked containers: each call is made per container, failures are reported by name.
import { useState } from 'react';
import type { ContainerSummary } from '../../../../protocol/src/api-shapes.ts';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { useContainers, type ContainerAction } from '../../stores/containers-store.ts';

export function BulkActions({ selected, onDone }: { selected: ContainerSummary[]; onDone(): void }) {
  const act = useContainers((s) => s.act);
  const [confirm, setConfirm] = useState(false);
  const run = async (action: ContainerAction, only?: (c: ContainerSummary) => boolean) => {
    await Promise.all(selected.filter(only ?? (() => true)).map((c) => act(c.id, action)));
  };
  const isRunning = (c: ContainerSummary) => c.state === 'running' || c.state === 'restarting' || c.state === 'paused';
  return (
    <div className="bulk-bar" role="group" aria-label="Selected containers" data-testid="bulk-actions">
      <span>{selected.length} selected</span>
      <button type="button" className="button" onClick={() => void run('start', (c) => !isRunning(c))}>Start</button>
      <button type="button" className="button" onClick={() => void run('stop', isRunning)}>Stop</button>
      <button type="button" className="button" onClick={() => void run('restart')}>Restart</button>
      <button type="button" className="button" onClick={() => void run('pause', (c) => c.state === 'running')}>Pause</button>
      <button type="button" className="button danger" onClick={() => setConfirm(true)}>Delete</button>
      {confirm && (
        <ConfirmDialog title={`Delete ${selected.length} container${selected.length === 1 ? '' : 's'}?`} confirmLabel="Delete" danger
          onClose={() => setConfirm(false)} onConfirm={async () => { await run('remove'); onDone(); }}>
          <p>Running ones are stopped first. Their images and named volumes stay.</p>
          <ul className="name-list">{selected.map((c) => <li key={c.id}>{c.name}</li>)}</ul>
        </ConfirmDialog>
      )}
    </div>
  );
}
