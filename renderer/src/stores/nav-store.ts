// Where the user is, mirrored in location.hash so Back works and tests can deep-link.
import { create } from 'zustand';

export type View = 'containers' | 'container' | 'images' | 'volumes' | 'settings' | 'troubleshoot';
export type DetailTab = 'logs' | 'inspect' | 'terminal' | 'stats';

export interface Route {
  view: View;
  id?: string;
  tab?: DetailTab;
}

const TABS: DetailTab[] = ['logs', 'inspect', 'terminal', 'stats'];
const VIEWS: View[] = ['containers', 'images', 'volumes', 'settings', 'troubleshoot'];

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'containers' && parts[1]) {
    const tab = TABS.includes(parts[2] as DetailTab) ? (parts[2] as DetailTab) : 'logs';
    return { view: 'container', id: parts[1], tab };
  }
  return { view: VIEWS.includes(parts[0] as View) ? (parts[0] as View) : 'containers' };
}

export function routeHash(r: Route): string {
  if (r.view === 'container') return `#/containers/${encodeURIComponent(r.id ?? '')}/${r.tab ?? 'logs'}`;
  return `#/${r.view}`;
}

interface NavState {
  route: Route;
  go(route: Route): void;
}

export const useNav = create<NavState>()((set) => ({
  route: typeof location === 'undefined' ? { view: 'containers' } : parseRoute(location.hash),
  go(route) {
    set({ route });
    if (typeof location !== 'undefined' && location.hash !== routeHash(route)) location.hash = routeHash(route);
  },
}));

export function followHash(): () => void {
  const onHash = () => useNav.setState({ route: parseRoute(location.hash) });
  window.addEventListener('hashchange', onHash);
  return () => window.removeEventListener('hashchange', onHash);
}
