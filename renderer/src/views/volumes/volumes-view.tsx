// Volumes: size and who uses them; create, delete, prune.
import { useEffect, useState } from 'react';
import type { VolumeSummary } from '../../../../protocol/src/api-shapes.ts';
import { berth } from '../../berth-api.ts';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { Icon } from '../../components/icon.tsx';
import { Empty, ErrorState, Loading } from '../../components/states.tsx';
import { formatAge, formatBytes } from '../../format.ts';
import { useContainers } from '../../stores/containers-store.ts';
import { notify } from '../../stores/notices-store.ts';
import { useVolumes } from '../../stores/volumes-store.ts';
import { CreateVolumeDialog } from './create-volume-dialog.tsx';

function UsedBy({ ids }: { ids: string[] }) {
  const byId = useContainers((s) => s.byId);
  if (ids.length === 0) return <span className="muted">unused</span>;
  // The engine may name containers by id or by name; show names where we know them.
  const names = ids.map((id) => byId[id]?.name ?? Object.values(byId).find((c) => c.id.startsWith(id))?.name ?? id.replace(/^\//, '').slice(0, 12));
  return <span>{names.join(', ')}</span>;
}

export function VolumesView() {
  const { list, loaded, error, load } = useVolumes();
  const containersLoaded = useContainers((s) => s.loaded);
  const loadContainers = useContainers((s) => s.load);
  const [dialog, setDialog] = useState<{ kind: 'create' } | { kind: 'prune' } | { kind: 'delete'; volume: VolumeSummary }>();
  useEffect(() => { if (!loaded) void load(); }, [loaded, load]);
  useEffect(() => { if (!containersLoaded) void loadContainers(); }, [containersLoaded, loadContainers]);
  const close = () => setDialog(undefined);
  const shown = [...list].sort((a, b) => a.name.localeCompare(b.name));

  let body;
  if (error && !loaded) body = <ErrorState title="Couldn't list volumes" message={error} onRetry={load} />;
  else if (!loaded) body = <Loading what="volumes" />;
  else if (list.length === 0) body = <Empty title="No volumes yet">Create one here, or with <code>docker volume create</code>; <code>docker run -v name:/path</code> creates one too.</Empty>;
  else {
    body = (
      <table className="table" data-testid="volumes-table">
        <thead><tr><th>Name</th><th>Driver</th><th className="num">Size</th><th>Used by</th><th>Created</th><th><span className="visually-hidden">Actions</span></th></tr></thead>
        <tbody>
          {shown.map((v) => (
            <tr key={v.name} data-testid={`volume-row-${v.name}`}>
              <td className="mono" title={v.mountpoint}>{v.name}</td>
              <td className="small">{v.driver}</td>
              <td className="num">{v.size >= 0 ? formatBytes(v.size) : '—'}</td>
              <td className="small"><UsedBy ids={v.usedBy} /></td>
              <td className="small">{formatAge(v.created)}</td>
              <td className="col-actions">
                <button type="button" className="icon-button danger" aria-label={`Delete ${v.name}`} title="Delete" onClick={() => setDialog({ kind: 'delete', volume: v })}>
                  <Icon name="trash" />
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  }

  return (
    <section className="view" aria-labelledby="volumes-title">
      <header className="view-header">
        <div>
          <h1 id="volumes-title">Volumes</h1>
          {loaded && <p className="muted">{list.length} volumes · {formatBytes(list.reduce((s, v) => s + Math.max(0, v.size), 0))}</p>}
        </div>
        <div className="header-actions">
          <button type="button" className="button" onClick={() => setDialog({ kind: 'prune' })}>Prune</button>
          <button type="button" className="button primary" onClick={() => setDialog({ kind: 'create' })}>Create</button>
        </div>
      </header>
      {body}
      {dialog?.kind === 'create' && <CreateVolumeDialog onClose={close} />}
      {dialog?.kind === 'delete' && (
        <ConfirmDialog title={`Delete ${dialog.volume.name}?`} confirmLabel="Delete" danger onClose={close}
          onConfirm={async () => { await berth().volumes.remove({ name: dialog.volume.name, force: false }); }}>
          <p>Its data is deleted for good.</p>
          {dialog.volume.usedBy.length > 0 && <p className="warn">Containers use it; the engine will refuse until they are deleted.</p>}
        </ConfirmDialog>
      )}
      {dialog?.kind === 'prune' && (
        <ConfirmDialog title="Prune volumes?" confirmLabel="Prune" danger onClose={close} onConfirm={async () => {
          const { reclaimed } = await berth().volumes.prune();
          notify('info', `Removed unused volumes, reclaimed ${formatBytes(reclaimed)}.`);
        }}>
          <p>Deletes every volume no container uses, with its data.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
