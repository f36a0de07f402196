// Troubleshoot: the engine's and VM's state and logs, restart, and reset to defaults.
import { useCallback, useEffect, useState } from 'react';
import { berth, errorMessage } from '../../berth-api.ts';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { ErrorState, Loading } from '../../components/states.tsx';
import { formatBytes } from '../../format.ts';
import { useEngine } from '../../stores/engine-store.ts';
import { notify } from '../../stores/notices-store.ts';
import { useSettings } from '../../stores/settings-store.ts';

type Source = 'engine' | 'vm';

function EngineLogs() {
  const [source, setSource] = useState<Source>('engine');
  const [text, setText] = useState<string>();
  const [error, setError] = useState<string>();
  const fetchLogs = useCallback(() => {
    setText(undefined);
    setError(undefined);
    berth().troubleshoot.logs({ source }).then((r) => setText(r.text), (err) => setError(errorMessage(err)));
  }, [source]);
  useEffect(fetchLogs, [fetchLogs]);
  return (
    <div className="settings-section">
      <div className="toolbar">
        <h2>Logs</h2>
        <select className="input" aria-label="Log source" value={source} onChange={(e) => setSource(e.target.value as Source)}>
          <option value="engine">Engine</option>
          <option value="vm">VM</option>
        </select>
        <button type="button" className="button" onClick={fetchLogs}>Refresh</button>
      </div>
      {error ? <ErrorState title="Couldn't read the logs" message={error} />
        : text === undefined ? <Loading what="logs" />
          : <pre className="log-box troubleshoot-log mono" tabIndex={0} data-testid="troubleshoot-log">{text || 'Nothing logged yet.'}</pre>}
    </div>
  );
}

export function TroubleshootView() {
  const { info, error, load } = useEngine();
  const [dialog, setDialog] = useState<'restart' | 'reset'>();
  useEffect(() => { void load(); }, [load]);
  const rows: [string, string][] = info ? [
    ['State', info.state], ['Mode', info.mode === 'vm' ? 'VM' : 'Native (this host)'], ['Version', info.version],
    ['API version', info.apiVersion], ['OS', info.os], ['Kernel', info.kernel], ['CPUs', String(info.cpus)],
    ['Memory', formatBytes(info.memory)], ['Containers', `${info.running} running of ${info.containers}`],
    ['Images', String(info.images)], ['Socket', info.socket],
  ] : [];
  return (
    <section className="view" aria-labelledby="troubleshoot-title">
      <header className="view-header">
        <h1 id="troubleshoot-title">Troubleshoot</h1>
        <div className="header-actions">
          <button type="button" className="button" onClick={() => setDialog('restart')}>Restart engine</button>
          <button type="button" className="button danger" onClick={() => setDialog('reset')}>Reset to defaults</button>
        </div>
      </header>
      <div className="settings-section">
        <h2>Engine</h2>
        {error && !info ? <ErrorState title="The engine isn't answering" message={error} onRetry={load} />
          : !info ? <Loading what="engine information" />
            : (
              <dl className="info-grid" data-testid="engine-info">
                {rows.map(([k, v]) => <div key={k}><dt>{k}</dt><dd className={k === 'Socket' ? 'mono' : undefined}>{v}</dd></div>)}
                {info.error && <div className="info-error"><dt>Error</dt><dd className="form-error">{info.error}</dd></div>}
              </dl>
            )}
      </div>
      <EngineLogs />
      {dialog === 'restart' && (
        <ConfirmDialog title="Restart the engine?" confirmLabel="Restart" onClose={() => setDialog(undefined)} onConfirm={async () => {
          await berth().engine.restart();
          notify('info', 'The engine is restarting.');
          void load();
        }}>
          <p>Running containers stop and start again according to their restart policies.</p>
        </ConfirmDialog>
      )}
      {dialog === 'reset' && (
        <ConfirmDialog title="Reset to defaults?" confirmLabel="Reset" danger onClose={() => setDialog(undefined)} onConfirm={async () => {
          await berth().troubleshoot.reset();
          notify('info', 'Settings are back to their defaults.');
          void useSettings.getState().load();
          void load();
        }}>
          <p>Settings go back to their defaults and the engine restarts. Check the host's documentation for whether containers, images and volumes are kept.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
