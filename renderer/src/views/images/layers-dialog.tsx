// Layers: each layer's instruction and size, oldest first, as `docker history` shows newest first.
import { useEffect, useState } from 'react';
import type { ImageLayer, ImageSummary } from '../../../../protocol/src/api-shapes.ts';
import { berth, errorMessage } from '../../berth-api.ts';
import { Dialog } from '../../components/dialog.tsx';
import { ErrorState, Loading } from '../../components/states.tsx';
import { formatAge, formatBytes } from '../../format.ts';
import { imageName } from './image-names.ts';

/** "/bin/sh -c #(nop) CMD [...]" reads better as "CMD [...]". */
export function instruction(createdBy: string): string {
  return createdBy.replace(/^\/bin\/sh -c #\(nop\)\s*/, '').replace(/^\/bin\/sh -c /, 'RUN ').trim() || '—';
}

export function LayersDialog({ image, onClose }: { image: ImageSummary; onClose(): void }) {
  const [layers, setLayers] = useState<ImageLayer[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    berth().images.history({ id: image.id }).then((h) => setLayers([...h].reverse()), (err) => setError(errorMessage(err)));
  }, [image.id]);
  const max = Math.max(1, ...(layers ?? []).map((l) => l.size));
  return (
    <Dialog title={`Layers of ${imageName(image)}`} onClose={onClose} wide testId="layers-dialog"
      footer={<button type="button" className="button" onClick={onClose}>Close</button>}>
      {error ? <ErrorState title="Couldn't read the layers" message={error} />
        : !layers ? <Loading what="layers" />
          : (
            <ol className="layers">
              {layers.map((l, i) => (
                <li key={i} className="layer" data-testid="image-layer">
                  <div className="layer-head">
                    <span className="layer-num muted small">{i + 1}</span>
                    <code className="layer-cmd" title={l.createdBy}>{instruction(l.createdBy)}</code>
                    <span className="num small">{l.size ? formatBytes(l.size) : <span className="muted">0 B</span>}</span>
                  </div>
                  <div className="layer-bar" aria-hidden="true"><span style={{ width: `${(l.size / max) * 100}%` }} /></div>
                  <div className="muted small">{formatAge(l.created)}{l.comment && ` · ${l.comment}`}</div>
                </li>
              ))}
            </ol>
          )}
    </Dialog>
  );
}
