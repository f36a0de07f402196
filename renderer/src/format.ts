// How numbers read in the dashboard: sizes, ages, ids.

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  // Bytes are whole numbers, but rates (bytes per second) are not: round those too.
  return `${i === 0 ? Math.round(v) : v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** Docker reports `created` in seconds; accept milliseconds too. */
export function toMillis(t: number): number {
  return t < 1e12 ? t * 1000 : t;
}

export function formatAge(created: number | string, now = Date.now()): string {
  const ms = typeof created === 'string' ? Date.parse(created) : toMillis(created);
  if (!Number.isFinite(ms)) return '—';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return s < 5 ? 'just now' : `${s} seconds ago`;
  const steps: [number, string][] = [[60, 'minute'], [3600, 'hour'], [86400, 'day'], [86400 * 30, 'month'], [86400 * 365, 'year']];
  let unit = steps[0];
  for (const step of steps) if (s >= step[0]) unit = step;
  const k = Math.floor(s / unit[0]);
  return `${k} ${unit[1]}${k === 1 ? '' : 's'} ago`;
}

export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

export function formatPercent(p: number): string {
  return Number.isFinite(p) ? `${p < 10 ? p.toFixed(1) : Math.round(p)}%` : '—';
}
