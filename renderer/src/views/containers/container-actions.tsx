// Start/stop, pause/resume, restart and delete for one container; labels name the container so
// screen readers and tests can tell rows apart ("Stop web").
import { useState } from 'react';
import type { ContainerSummary } from '../../../../protocol/src/api-shapes.ts';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { Icon } from '../../components/icon.tsx';
import { useContainers, type ContainerAction } from '../../stores/containers-store.ts';
import { useNav } from '../../stores/nav-store.ts';

export function ContainerActions({ c, withTerminal }: { c: ContainerSummary; withTerminal?: boolean }) {
  const busy = useContainers((s) => s.busy[c.id]);
  const act = useContainers((s) => s.act);
  const go = useNav((s) => s.go);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const running = c.state === 'running' || c.state === 'restarting';
  const paused = c.state === 'paused';
  const button = (action: ContainerAction, label: string, icon: Parameters<typeof Icon>[0]['name']) => (
    <button type="button" className="icon-button" aria-label={`${label} ${c.name}`} title={label} disabled={Boolean(busy)} onClick={() => void act(c.id, action)}>
      <Icon name={icon} />
    </button>
  );
  return (
    <div className="row-actions" aria-busy={Boolean(busy)}>
      {running || paused ? button('stop', 'Stop', 'stop') : button('start', 'Start', 'start')}
      {paused ? button('unpause', 'Resume', 'start') : running && button('pause', 'Pause', 'pause')}
      {button('restart', 'Restart', 'restart')}
      {withTerminal && running && (
        <button type="button" className="icon-button" aria-label={`Terminal ${c.name}`} title="Open terminal" onClick={() => go({ view: 'container', id: c.id, tab: 'terminal' })}>
          <Icon name="terminal" />
        </button>
      )}
      <button type="button" className="icon-button danger" aria-label={`Delete ${c.name}`} title="Delete" disabled={Boolean(busy)} onClick={() => setConfirmDelete(true)}>
        <Icon name="trash" />
      </button>
      {busy && <span className="spinner small" role="status" aria-label={`${busy} in progress`} />}
      {confirmDelete && (
        <ConfirmDialog title={`Delete ${c.name}?`} confirmLabel="Delete" danger onClose={() => setConfirmDelete(false)}
          onConfirm={async () => { await act(c.id, 'remove'); }}>
          {running || paused ? <p>{c.name} is running. It will be stopped and deleted, with its writable layer.</p>
            : <p>The container and its writable layer are deleted. Its image and named volumes stay.</p>}
        </ConfirmDialog>
      )}
    </div>
  );
}
