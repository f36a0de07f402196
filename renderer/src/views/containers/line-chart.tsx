// A small SVG line chart: one or two series over the stats window, scaled to their maximum.
interface Series {
  label: string;
  values: number[];
  className: string;
}

interface ChartProps {
  title: string;
  series: Series[];
  format(v: number): string;
  /** Fixed top of the scale (CPU: 100% per core is not a bound, so usually left unset). */
  max?: number;
  window: number;
}

const W = 300;
const H = 90;

function path(values: number[], max: number, window: number): string {
  const step = W / Math.max(window - 1, 1);
  const offset = window - values.length;
  return values.map((v, i) => `${i === 0 ? 'M' : 'L'}${((offset + i) * step).toFixed(1)},${(H - (v / max) * (H - 4) - 2).toFixed(1)}`).join(' ');
}

export function LineChart({ title, series, format, max, window }: ChartProps) {
  const top = max ?? Math.max(1e-9, ...series.flatMap((s) => s.values));
  return (
    <figure className="chart" data-testid={`chart-${title.toLowerCase().replace(/\W+/g, '-')}`}>
      <figcaption>
        <span className="chart-title">{title}</span>
        {series.map((s) => (
          <span key={s.label} className={`chart-value ${s.className}`}>
            {series.length > 1 && `${s.label} `}{s.values.length ? format(s.values[s.values.length - 1]) : '—'}
          </span>
        ))}
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={`${title} over the last ${window} samples`}>
        <line x1="0" y1={H - 1} x2={W} y2={H - 1} className="chart-axis" />
        {series.map((s) => s.values.length > 1 && <path key={s.label} d={path(s.values, top, window)} className={`chart-line ${s.className}`} />)}
      </svg>
      <div className="chart-scale muted small">max {format(top)}</div>
    </figure>
  );
}
