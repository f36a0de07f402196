// One row of the Containers table; running rows subscribe to light stats for CPU and memory.
import { useEffect } from 'react';
import type { ContainerSummary } from '../../../../protocol/src/api-shapes.ts';
import { formatBytes, formatPercent, shortId } from '../../format.ts';
import { useRowStats, watchRowStats } from '../../stores/row-stats-store.ts';
import { ContainerActions } from './container-actions.tsx';
import { PortLinks } from './port-links.tsx';
import { StateBadge } from './state-badge.tsx';

interface RowProps {
  c: ContainerSummary;
  selected: boolean;
  onSelect(id: string, on: boolean): void;
  liveStats: boolean;
}

export function ContainerRow({ c, selected, onSelect, liveStats }: RowProps) {
  const running = c.state === 'running';
  const stats = useRowStats((s) => s.latest[c.id]);
  useEffect(() => (running && liveStats ? watchRowStats(c.id) : undefined), [c.id, running, liveStats]);
  return (
    <tr data-testid={`container-row-${c.name}`} data-state={c.state} className={selected ? 'selected' : undefined}>
      <td className="col-check">
        <input type="checkbox" aria-label={`Select ${c.name}`} checked={selected} onChange={(e) => onSelect(c.id, e.target.checked)} />
      </td>
      <td className="col-name">
        <a href={`#/containers/${encodeURIComponent(c.id)}/logs`} className="row-title">{c.name}</a>
        <span className="muted small mono">{shortId(c.id)}</span>
      </td>
      <td className="col-image mono small" title={c.image}>{c.image}</td>
      <td><StateBadge c={c} /></td>
      <td><PortLinks ports={c.ports} /></td>
      <td className="num" data-testid="container-cpu">{running && stats ? formatPercent(stats.cpuPercent) : '—'}</td>
      <td className="num" data-testid="container-memory">{running && stats ? formatBytes(stats.memoryUsage) : '—'}</td>
      <td className="col-actions"><ContainerActions c={c} withTerminal /></td>
    </tr>
  );
}
