// Timing helpers: order statistics and interleaved runs (each iteration runs every participant
// once, in rotating order, so drift and background noise land on all of them alike).
import { run } from './proc.mjs';

export function stats(xs) {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => {
    const i = (s.length - 1) * p;
    const lo = Math.floor(i);
    const hi = Math.ceil(i);
    return s[lo] + (s[hi] - s[lo]) * (i - lo);
  };
  return { n: s.length, min: s[0], p10: q(0.1), median: q(0.5), p90: q(0.9), max: s[s.length - 1] };
}

/**
 * parts: [{ key, env?, cmd: () => [file, args], check?: (result) => boolean }]. checkAbort is
 * called before every command so a signal stops the measuring promptly.
 */
export async function timeInterleaved(parts, runs, warmup, checkAbort = () => undefined) {
  const res = Object.fromEntries(parts.map((p) => [p.key, { ms: [], fails: 0, err: '' }]));
  for (let i = -warmup; i < runs; i++) {
    for (let j = 0; j < parts.length; j++) {
      checkAbort();
      const p = parts[(i + warmup + j) % parts.length];
      const [file, args] = p.cmd();
      const r = await run(file, args, { env: p.env, timeoutMs: 60_000 });
      if (i < 0) continue;
      if (r.code === 0 && (!p.check || p.check(r))) res[p.key].ms.push(r.ms);
      else {
        res[p.key].fails++;
        if (!res[p.key].err) res[p.key].err = `exit ${r.code}: ${(r.stderr || r.stdout).trim().slice(0, 300)}`;
      }
    }
  }
  return Object.fromEntries(Object.entries(res).map(([k, v]) => [k, { ...v, stats: stats(v.ms) }]));
}

/** Median of `n` runs of an async function returning { ok, ms, err }; failures are counted, not timed. */
export async function medianOf(n, fn) {
  const ms = [];
  let fails = 0;
  let err = '';
  for (let i = 0; i < n; i++) {
    const r = await fn(i);
    if (r.ok) ms.push(r.ms);
    else {
      fails++;
      err ||= r.err ?? '';
    }
  }
  return { ms, fails, err, stats: stats(ms) };
}
