// One image: tags, IDs, size, age, and its actions.
import type { ImageSummary } from '../../../../protocol/src/api-shapes.ts';
import { Icon } from '../../components/icon.tsx';
import { formatAge, formatBytes, shortId } from '../../format.ts';
import { imageName, shortDigest } from './image-names.ts';

export type ImageDialog = { kind: 'run' | 'tag' | 'layers' | 'delete'; image: ImageSummary };

export function ImageRow({ image, open }: { image: ImageSummary; open(d: ImageDialog): void }) {
  const name = imageName(image);
  const tags = image.tags.filter((t) => t !== '<none>:<none>');
  const action = (kind: ImageDialog['kind'], label: string, icon: Parameters<typeof Icon>[0]['name'], danger = false) => (
    <button type="button" className={danger ? 'icon-button danger' : 'icon-button'} aria-label={`${label} ${name}`} title={label} onClick={() => open({ kind, image })}>
      <Icon name={icon} />
    </button>
  );
  return (
    <tr data-testid={`image-row-${name}`}>
      <td>
        {tags.length ? <span className="tags">{tags.map((t) => <span key={t} className="tag mono">{t}</span>)}</span> : <span className="muted">untagged</span>}
      </td>
      <td className="mono small">{shortId(image.id)}</td>
      <td className="mono small" title={image.digests.join('\n')}>{shortDigest(image.digests)}</td>
      <td className="num">{formatBytes(image.size)}</td>
      <td className="small">{formatAge(image.created)}</td>
      <td className="small">{image.containers > 0 ? `${image.containers} container${image.containers === 1 ? '' : 's'}` : <span className="muted">unused</span>}</td>
      <td className="col-actions">
        <div className="row-actions">
          {action('run', 'Run', 'run')}
          {action('layers', 'Layers of', 'layers')}
          {action('tag', 'Tag', 'tag')}
          {action('delete', 'Delete', 'trash', true)}
        </div>
      </td>
    </tr>
  );
}
