// Turns stats samples into chart series: CPU and memory as they are, network and block I/O as
// rates between consecutive samples (the engine reports running totals).
import type { StatsSample } from '../../../../protocol/src/api-shapes.ts';

export const STATS_WINDOW = 60;

export interface StatsSeries {
  cpu: number[];
  memory: number[];
  netRx: number[];
  netTx: number[];
  blockRead: number[];
  blockWrite: number[];
}

function rates(samples: StatsSample[], pick: (s: StatsSample) => number): number[] {
  const out: number[] = [];
  for (let i = 1; i < samples.length; i++) {
    const dt = (samples[i].time - samples[i - 1].time) / (samples[i].time > 1e12 ? 1000 : 1);
    const d = pick(samples[i]) - pick(samples[i - 1]);
    out.push(dt > 0 && d >= 0 ? d / dt : 0);
  }
  return out;
}

export function statsSeries(samples: StatsSample[]): StatsSeries {
  return {
    cpu: samples.map((s) => s.cpuPercent),
    memory: samples.map((s) => s.memoryUsage),
    netRx: rates(samples, (s) => s.netRx),
    netTx: rates(samples, (s) => s.netTx),
    blockRead: rates(samples, (s) => s.blockRead),
    blockWrite: rates(samples, (s) => s.blockWrite),
  };
}

export function pushSample(samples: StatsSample[], s: StatsSample): StatsSample[] {
  const next = samples.concat(s);
  return next.length > STATS_WINDOW ? next.slice(next.length - STATS_WINDOW) : next;
}
