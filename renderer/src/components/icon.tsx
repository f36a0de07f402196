// A few line icons, drawn inline so nothing is fetched.
const PATHS = {
  start: 'M7 5v14l11-7z',
  stop: 'M6 6h12v12H6z',
  restart: 'M4 12a8 8 0 1 0 2.3-5.6M4 4v4h4',
  pause: 'M8 5v14M16 5v14',
  trash: 'M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13',
  terminal: 'M4 5h16v14H4zM7 9l3 3-3 3M12 15h5',
  layers: 'M12 3l9 5-9 5-9-5zM3 13l9 5 9-5',
  tag: 'M3 12V4h8l10 10-8 8zM7.5 8.5h.01',
  run: 'M5 4v16l14-8z',
  open: 'M14 4h6v6M20 4l-9 9M18 14v6H4V6h6',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name }: { name: IconName }) {
  const filled = name === 'start' || name === 'stop' || name === 'run';
  return (
    <svg className="icon" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
      <path d={PATHS[name]} fill={filled ? 'currentColor' : 'none'} stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
