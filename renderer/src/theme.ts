// Light, dark, or whatever the system prefers, as a data attribute the CSS variables key on.
export type Theme = 'system' | 'light' | 'dark';

let current: Theme = 'system';
let media: MediaQueryList | undefined;

function resolve(): 'light' | 'dark' {
  if (current !== 'system') return current;
  return media?.matches ? 'dark' : 'light';
}

export function applyTheme(theme: Theme): void {
  current = theme;
  if (typeof document === 'undefined') return;
  if (!media && typeof matchMedia === 'function') {
    media = matchMedia('(prefers-color-scheme: dark)');
    media.addEventListener?.('change', () => { document.documentElement.dataset.theme = resolve(); });
  }
  document.documentElement.dataset.theme = resolve();
  try {
    localStorage.setItem('berth.theme', theme);
  } catch {
    // Storage may be unavailable (sandboxed file://); the theme still applies for this session.
  }
}

/** Before settings arrive, use the theme from last time so the first paint doesn't flash. */
export function applyStoredTheme(): void {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem('berth.theme');
  } catch {
    stored = null;
  }
  applyTheme(stored === 'light' || stored === 'dark' ? stored : 'system');
}
