// Containers: search, state filter, bulk actions and the table.
import { useEffect, useMemo, useState } from 'react';
import { Empty, ErrorState, Loading } from '../../components/states.tsx';
import { filterContainers, type StateFilter } from '../../stores/container-filter.ts';
import { useContainers } from '../../stores/containers-store.ts';
import { BulkActions } from './bulk-actions.tsx';
import { ContainerRow } from './container-row.tsx';

/** Rows beyond this many running ones show no live CPU/memory, to keep the stream count bounded. */
const LIVE_STATS_ROWS = 40;

export function ContainersView() {
  const { byId, loaded, loading, error, load } = useContainers();
  const [query, setQuery] = useState('');
  const [state, setState] = useState<StateFilter>('all');
  const [selected, setSelected] = useState<Set<string>>(new Set());

  useEffect(() => { if (!loaded) void load(); }, [loaded, load]);

  const all = useMemo(() => Object.values(byId), [byId]);
  const shown = useMemo(() => filterContainers(all, { query, state }), [all, query, state]);
  const running = all.filter((c) => c.state === 'running').length;
  const picked = shown.filter((c) => selected.has(c.id));
  const liveIds = new Set(shown.filter((c) => c.state === 'running').slice(0, LIVE_STATS_ROWS).map((c) => c.id));

  const select = (id: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  };
  const allPicked = shown.length > 0 && picked.length === shown.length;

  let body;
  if (error && !loaded) body = <ErrorState title="Couldn't list containers" message={error} onRetry={load} />;
  else if (!loaded) body = <Loading what="containers" />;
  else if (all.length === 0) {
    body = <Empty title="No containers yet">Run one from the <a href="#/images">Images</a> view, or with <code>docker run</code> in a terminal.</Empty>;
  } else if (shown.length === 0) body = <Empty title="No containers match">Change the search or the filter.</Empty>;
  else {
    body = (
      <table className="table" data-testid="containers-table">
        <thead>
          <tr>
            <th className="col-check">
              <input type="checkbox" aria-label="Select all containers" checked={allPicked}
                onChange={(e) => setSelected(e.target.checked ? new Set(shown.map((c) => c.id)) : new Set())} />
            </th>
            <th>Name</th><th>Image</th><th>Status</th><th>Ports</th><th className="num">CPU</th><th className="num">Memory</th>
            <th><span className="visually-hidden">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          {shown.map((c) => <ContainerRow key={c.id} c={c} selected={selected.has(c.id)} onSelect={select} liveStats={liveIds.has(c.id)} />)}
        </tbody>
      </table>
    );
  }

  return (
    <section className="view" aria-labelledby="containers-title">
      <header className="view-header">
        <div>
          <h1 id="containers-title">Containers</h1>
          {loaded && <p className="muted" data-testid="containers-summary">{running} running · {all.length} total</p>}
        </div>
        {loading && loaded && <span className="spinner small" role="status" aria-label="Refreshing" />}
      </header>
      <div className="toolbar">
        <input type="search" className="input search" placeholder="Search by name, image or ID" aria-label="Search containers" value={query} onChange={(e) => setQuery(e.target.value)} />
        <select className="input" aria-label="Filter by state" value={state} onChange={(e) => setState(e.target.value as StateFilter)}>
          <option value="all">All</option>
          <option value="running">Running</option>
          <option value="paused">Paused</option>
          <option value="stopped">Stopped</option>
        </select>
        {picked.length > 0 && <BulkActions selected={picked} onDone={() => setSelected(new Set())} />}
      </div>
      {body}
    </section>
  );
}
