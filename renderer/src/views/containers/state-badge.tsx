// The container's state as a colored badge with the engine's own status text beside it.
import type { ContainerSummary } from '../../../../protocol/src/api-shapes.ts';

export function StateBadge({ c }: { c: ContainerSummary }) {
  return (
    <span className="state-cell">
      <span className={`badge badge-${c.state}`} data-testid="container-state">{c.state}</span>
      <span className="muted small">{c.status}</span>
    </span>
  );
}
