// The detail view's tab list, with arrow-key movement as WAI-ARIA tabs expect.
import type { DetailTab } from '../../stores/nav-store.ts';

const TABS: { tab: DetailTab; label: string }[] = [
  { tab: 'logs', label: 'Logs' },
  { tab: 'inspect', label: 'Inspect' },
  { tab: 'terminal', label: 'Terminal' },
  { tab: 'stats', label: 'Stats' },
];

export function DetailTabs({ tab, onChange }: { tab: DetailTab; onChange(t: DetailTab): void }) {
  const onKeyDown = (e: React.KeyboardEvent) => {
    const i = TABS.findIndex((t) => t.tab === tab);
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    const next = TABS[(i + step + TABS.length) % TABS.length].tab;
    onChange(next);
    requestAnimationFrame(() => document.getElementById(`tab-${next}`)?.focus());
  };
  return (
    <div className="tabs" role="tablist" aria-label="Container details" onKeyDown={onKeyDown}>
      {TABS.map((t) => (
        <button key={t.tab} type="button" role="tab" id={`tab-${t.tab}`} aria-selected={t.tab === tab} aria-controls={`panel-${t.tab}`}
          tabIndex={t.tab === tab ? 0 : -1} className={t.tab === tab ? 'tab active' : 'tab'} onClick={() => onChange(t.tab)}>
          {t.label}
        </button>
      ))}
    </div>
  );
}
