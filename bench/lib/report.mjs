// Formatting for the benchmark reports: times, sizes, throughput, ratios and markdown tables.
export const fmtMs = (v) => (v == null ? '—' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(v < 10 ? 1 : 0)} ms`);
export const fmtMb = (kb) => (kb == null ? '—' : `${(kb / 1024).toFixed(1)} MB`);
export const fmtMbps = (v) => (v == null ? '—' : `${v.toFixed(v < 10 ? 1 : 0)} MB/s`);
export const ratio = (a, b) => (a == null || b == null || b === 0 ? '—' : `${(a / b).toFixed(2)}×`);
export const mark = (ok) => (ok == null ? 'n/a' : ok ? '**met**' : '**missed**');

/** A markdown table: header cells, then rows of cells. */
export function markdownTable(header, rows) {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}
