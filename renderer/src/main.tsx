// Entry: make sure the API is there (web mode loads it from the host), then start the one event
// subscription and render.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { ensureApi } from './berth-api.ts';
import { Unavailable } from './unavailable.tsx';
import { startLiveEvents } from './stores/live-events.ts';
import { followHash } from './stores/nav-store.ts';
import { useSettings } from './stores/settings-store.ts';
import { useEngine } from './stores/engine-store.ts';
import { applyStoredTheme } from './theme.ts';
import './styles/theme.css';
import './styles/layout.css';
import './styles/controls.css';
import './styles/table.css';
import './styles/dialog.css';
import './styles/detail.css';

applyStoredTheme();
const root = createRoot(document.getElementById('root') as HTMLElement);

void ensureApi().then((ok) => {
  if (!ok) {
    root.render(<Unavailable />);
    return;
  }
  followHash();
  startLiveEvents();
  void useEngine.getState().load();
  void useSettings.getState().load();
  root.render(<StrictMode><App /></StrictMode>);
});
