// The shell: a sidebar of views, the engine's status, and the current view.
import { Notices } from './components/notices.tsx';
import { useNav, type View } from './stores/nav-store.ts';
import { EngineStatus } from './engine-status.tsx';
import { ContainersView } from './views/containers/containers-view.tsx';
import { ContainerDetail } from './views/containers/container-detail.tsx';
import { ImagesView } from './views/images/images-view.tsx';
import { VolumesView } from './views/volumes/volumes-view.tsx';
import { SettingsView } from './views/settings/settings-view.tsx';
import { TroubleshootView } from './views/troubleshoot/troubleshoot-view.tsx';

const NAV: { view: View; label: string }[] = [
  { view: 'containers', label: 'Containers' },
  { view: 'images', label: 'Images' },
  { view: 'volumes', label: 'Volumes' },
  { view: 'settings', label: 'Settings' },
  { view: 'troubleshoot', label: 'Troubleshoot' },
];

function CurrentView() {
  const route = useNav((s) => s.route);
  switch (route.view) {
    case 'container': return <ContainerDetail id={route.id ?? ''} tab={route.tab ?? 'logs'} />;
    case 'images': return <ImagesView />;
    case 'volumes': return <VolumesView />;
    case 'settings': return <SettingsView />;
    case 'troubleshoot': return <TroubleshootView />;
    default: return <ContainersView />;
  }
}

export function App() {
  const route = useNav((s) => s.route);
  const current = route.view === 'container' ? 'containers' : route.view;
  return (
    <div className="app">
      <a className="skip-link" href="#main">Skip to content</a>
      <nav className="sidebar" aria-label="Main">
        <div className="brand"><span className="brand-mark" aria-hidden="true">⚓</span>Berth</div>
        <ul>
          {NAV.map((n) => (
            <li key={n.view}>
              <a href={`#/${n.view}`} className={current === n.view ? 'nav-link active' : 'nav-link'} aria-current={current === n.view ? 'page' : undefined} data-testid={`nav-${n.view}`}>
                {n.label}
              </a>
            </li>
          ))}
        </ul>
        <EngineStatus />
      </nav>
      <main id="main" className="main" tabIndex={-1}>
        <CurrentView />
      </main>
      <Notices />
    </div>
  );
}
