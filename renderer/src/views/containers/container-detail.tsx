// One container: its header and actions, and tabs for logs, inspect, terminal and stats.
import { lazy, Suspense, useEffect } from 'react';
import { Empty, Loading } from '../../components/states.tsx';
import { shortId } from '../../format.ts';
import { useContainers } from '../../stores/containers-store.ts';
import { useNav, type DetailTab } from '../../stores/nav-store.ts';
import { ContainerActions } from './container-actions.tsx';
import { DetailTabs } from './detail-tabs.tsx';
import { InspectTab } from './inspect-tab.tsx';
import { LogsTab } from './logs-tab.tsx';
import { PortLinks } from './port-links.tsx';
import { StateBadge } from './state-badge.tsx';
import { StatsTab } from './stats-tab.tsx';

// xterm.js is most of the bundle; load it when a terminal is first opened.
const TerminalTab = lazy(() => import('./terminal-tab.tsx').then((m) => ({ default: m.TerminalTab })));

export function ContainerDetail({ id, tab }: { id: string; tab: DetailTab }) {
  const c = useContainers((s) => s.byId[id]);
  const loaded = useContainers((s) => s.loaded);
  const load = useContainers((s) => s.load);
  const go = useNav((s) => s.go);
  useEffect(() => { if (!loaded) void load(); }, [loaded, load]);

  if (!c) {
    return (
      <section className="view">
        <a href="#/containers" className="back-link">← Containers</a>
        {loaded ? <Empty title="This container no longer exists">It was deleted. Go back to the list to see the others.</Empty> : <Loading what="the container" />}
      </section>
    );
  }
  const running = c.state === 'running';
  return (
    <section className="view view-detail" aria-labelledby="detail-title" data-testid="container-detail">
      <a href="#/containers" className="back-link">← Containers</a>
      <header className="view-header">
        <div>
          <h1 id="detail-title">{c.name}</h1>
          <p className="muted small"><span className="mono">{shortId(c.id)}</span> · <span className="mono">{c.image}</span> · <PortLinks ports={c.ports} /></p>
        </div>
        <div className="detail-header-right">
          <StateBadge c={c} />
          <ContainerActions c={c} />
        </div>
      </header>
      <DetailTabs tab={tab} onChange={(t) => go({ view: 'container', id, tab: t })} />
      <div className="tab-panel" role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'logs' && <LogsTab key={id} id={id} />}
        {tab === 'inspect' && <InspectTab key={id} id={id} state={c.state} />}
        {tab === 'terminal' && (running ? <Suspense fallback={<Loading what="the terminal" />}><TerminalTab key={id} containerId={id} name={c.name} /></Suspense>
          : <Empty title="The container isn't running">Start it to open a terminal.</Empty>)}
        {tab === 'stats' && (running ? <StatsTab key={id} id={id} />
          : <Empty title="The container isn't running">Stats are shown while it runs.</Empty>)}
      </div>
    </section>
  );
}
