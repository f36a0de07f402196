// Images: the list, pull, prune, and per-image run, tag, layers and delete.
import { useEffect, useMemo, useState } from 'react';
import type { ImageSummary } from '../../../../protocol/src/api-shapes.ts';
import { berth } from '../../berth-api.ts';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { Empty, ErrorState, Loading } from '../../components/states.tsx';
import { formatBytes } from '../../format.ts';
import { useImages } from '../../stores/images-store.ts';
import { notify } from '../../stores/notices-store.ts';
import { usePulls } from '../../stores/pulls-store.ts';
import { imageName } from './image-names.ts';
import { ImageRow, type ImageDialog } from './image-row.tsx';
import { LayersDialog } from './layers-dialog.tsx';
import { PullDialog } from './pull-dialog.tsx';
import { RunDialog } from './run-dialog.tsx';
import { TagDialog } from './tag-dialog.tsx';

export function ImagesView() {
  const { list, loaded, error, load } = useImages();
  const pulling = usePulls((s) => Object.values(s.pulls).filter((p) => p.state === 'pulling').length);
  const [query, setQuery] = useState('');
  const [dialog, setDialog] = useState<ImageDialog | { kind: 'pull' } | { kind: 'prune' }>();
  useEffect(() => { if (!loaded) void load(); }, [loaded, load]);

  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return list.filter((i) => !q || i.tags.some((t) => t.toLowerCase().includes(q)) || i.id.replace(/^sha256:/, '').startsWith(q))
      .sort((a, b) => b.created - a.created);
  }, [list, query]);
  const total = list.reduce((s, i) => s + i.size, 0);
  const close = () => setDialog(undefined);

  let body;
  if (error && !loaded) body = <ErrorState title="Couldn't list images" message={error} onRetry={load} />;
  else if (!loaded) body = <Loading what="images" />;
  else if (list.length === 0) body = <Empty title="No images yet">Pull one, or load one with <code>docker load</code>.</Empty>;
  else if (shown.length === 0) body = <Empty title="No images match">Change the search.</Empty>;
  else {
    body = (
      <table className="table" data-testid="images-table">
        <thead><tr><th>Name</th><th>ID</th><th>Digest</th><th className="num">Size</th><th>Created</th><th>Used by</th><th><span className="visually-hidden">Actions</span></th></tr></thead>
        <tbody>{shown.map((i) => <ImageRow key={i.id} image={i} open={setDialog} />)}</tbody>
      </table>
    );
  }

  return (
    <section className="view" aria-labelledby="images-title">
      <header className="view-header">
        <div>
          <h1 id="images-title">Images</h1>
          {loaded && <p className="muted">{list.length} images · {formatBytes(total)}</p>}
        </div>
        <div className="header-actions">
          <button type="button" className="button" onClick={() => setDialog({ kind: 'prune' })}>Prune</button>
          <button type="button" className="button primary" onClick={() => setDialog({ kind: 'pull' })}>
            {pulling ? `Pulling ${pulling}…` : 'Pull'}
          </button>
        </div>
      </header>
      <div className="toolbar">
        <input type="search" className="input search" placeholder="Search by tag or ID" aria-label="Search images" value={query} onChange={(e) => setQuery(e.target.value)} />
      </div>
      {body}
      {dialog?.kind === 'pull' && <PullDialog onClose={close} />}
      {dialog?.kind === 'run' && <RunDialog image={imageName(dialog.image)} onClose={close} />}
      {dialog?.kind === 'tag' && <TagDialog image={dialog.image} onClose={close} />}
      {dialog?.kind === 'layers' && <LayersDialog image={dialog.image} onClose={close} />}
      {dialog?.kind === 'delete' && <DeleteImage image={dialog.image} onClose={close} />}
      {dialog?.kind === 'prune' && (
        <ConfirmDialog title="Prune images?" confirmLabel="Prune" danger onClose={close} onConfirm={async () => {
          const { reclaimed } = await berth().images.prune({ all: false });
          notify('info', `Removed dangling images, reclaimed ${formatBytes(reclaimed)}.`);
        }}>
          <p>Removes dangling images: untagged ones that no container uses.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

function DeleteImage({ image, onClose }: { image: ImageSummary; onClose(): void }) {
  return (
    <ConfirmDialog title={`Delete ${imageName(image)}?`} confirmLabel="Delete" danger onClose={onClose}
      onConfirm={async () => { await berth().images.remove({ id: image.id, force: false }); }}>
      <p>{image.tags.length > 1 ? `It has ${image.tags.length} tags; all are removed.` : 'The image and its layers no other image uses are removed.'}</p>
      {image.containers > 0 && <p className="warn">{image.containers} container(s) use it; the engine will refuse until they are deleted.</p>}
    </ConfirmDialog>
  );
}
