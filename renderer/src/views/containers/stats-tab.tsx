// Stats: live charts of CPU, memory, network and block I/O from the container's stats stream.
import { useEffect, useMemo, useState } from 'react';
import type { StatsSample } from '../../../../protocol/src/api-shapes.ts';
import { berth, errorMessage } from '../../berth-api.ts';
import { Loading } from '../../components/states.tsx';
import { formatBytes, formatPercent } from '../../format.ts';
import { LineChart } from './line-chart.tsx';
import { pushSample, statsSeries, STATS_WINDOW } from './stats-series.ts';

const rate = (v: number) => `${formatBytes(v)}/s`;

export function StatsTab({ id }: { id: string }) {
  const [samples, setSamples] = useState<StatsSample[]>([]);
  const [error, setError] = useState<string>();
  useEffect(() => {
    try {
      return berth().containers.stats({ id }, (s) => setSamples((prev) => pushSample(prev, s)), (err) => { if (err) setError(errorMessage(err)); });
    } catch (err) {
      setError(errorMessage(err));
      return undefined;
    }
  }, [id]);
  const series = useMemo(() => statsSeries(samples), [samples]);
  const last = samples[samples.length - 1];
  if (error) return <p className="form-error" role="alert">Stats stopped: {error}</p>;
  if (!last) return <Loading what="stats" />;
  return (
    <div className="stats">
      <dl className="stats-now" data-testid="stats-now">
        <div><dt>CPU</dt><dd data-testid="stats-cpu">{formatPercent(last.cpuPercent)}</dd></div>
        <div><dt>Memory</dt><dd data-testid="stats-memory">{formatBytes(last.memoryUsage)}{last.memoryLimit > 0 && ` of ${formatBytes(last.memoryLimit)}`}</dd></div>
        <div><dt>Processes</dt><dd data-testid="stats-pids">{last.pids}</dd></div>
        <div><dt>Network</dt><dd>↓ {formatBytes(last.netRx)} ↑ {formatBytes(last.netTx)}</dd></div>
        <div><dt>Block I/O</dt><dd>read {formatBytes(last.blockRead)} · write {formatBytes(last.blockWrite)}</dd></div>
      </dl>
      <div className="charts">
        <LineChart title="CPU" series={[{ label: 'CPU', values: series.cpu, className: 's1' }]} format={formatPercent} window={STATS_WINDOW} />
        <LineChart title="Memory" series={[{ label: 'Used', values: series.memory, className: 's2' }]} format={formatBytes} window={STATS_WINDOW} />
        <LineChart title="Network" series={[{ label: 'in', values: series.netRx, className: 's1' }, { label: 'out', values: series.netTx, className: 's3' }]} format={rate} window={STATS_WINDOW} />
        <LineChart title="Block I/O" series={[{ label: 'read', values: series.blockRead, className: 's2' }, { label: 'write', values: series.blockWrite, className: 's4' }]} format={rate} window={STATS_WINDOW} />
      </div>
    </div>
  );
}
