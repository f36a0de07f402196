// Formatting for the benchmark reports: times, sizes, throughput, ratios and markdown tables.
export const fmtMs = (v) => (v == null ? '—' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(v < 10 ? 1 : 0)} ms`);
export const fmtMb = (kb) => (kb == null ? '—' : `${(kb / 1024).toFixed(1)} MB`);
export const fmtMbps = (v) => (v == null ? '—' : `${v.toFixed(v < 10 ? 1 : 0)} MB/s`);
export const ratio = (a, b) => {
  if (a == null || b == null || b === 0) return '—';
  const r = a / b;
  return `${r >= 0.1 || r === 0 ? r.toFixed(2) : r.toPrecision(2)}×`; // 0.0028×, not 0.00×
};
export const mark = (ok) => (ok == null ? 'n/a' : ok ? '**met**' : '**missed**');

/** A markdown table: header cells, then rows of cells. */
export function markdownTable(header, rows) {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

/**
 * Finishes a benchmark report the same way for every bench: the "Run" section, any problems seen,
 * the total time; prints it, writes it under `workDir`, and copies the engines' logs beside it.
 */
export async function finishReport({ sections, env, problems, startedMs, workDir, file, logs = [] }) {
  const fsp = await import('node:fs/promises');
  const path = await import('node:path');
  const out = [
    ...sections,
    '### Run',
    '',
    ...env,
    ...(problems.length ? ['', '### Problems seen', '', ...problems.map((p) => `- ${p}`)] : []),
    '',
    `_Total bench time ${fmtMs(performance.now() - startedMs)} (before cleanup)._`,
    '',
  ].join('\n');
  console.log('\n' + out);
  await fsp.writeFile(path.join(workDir, file), out);
  for (const [from, name] of logs) if (from) await fsp.copyFile(from, path.join(workDir, name)).catch(() => undefined);
  return path.relative(process.cwd(), path.join(workDir, file));
}
