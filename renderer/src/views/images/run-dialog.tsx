// Run: name, ports, environment, volumes and limits → containers.run, then the Containers list.
import { useState } from 'react';
import { berth, errorMessage } from '../../berth-api.ts';
import { Dialog } from '../../components/dialog.tsx';
import { useNav } from '../../stores/nav-store.ts';
import { notify } from '../../stores/notices-store.ts';
import { emptyRunForm, parseRunForm, type PortRow, type RunForm } from './run-form.ts';

export function RunDialog({ image, onClose }: { image: string; onClose(): void }) {
  const [form, setForm] = useState<RunForm>(() => emptyRunForm(image));
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const go = useNav((s) => s.go);
  const set = <K extends keyof RunForm>(k: K, v: RunForm[K]) => setForm((f) => ({ ...f, [k]: v }));
  const setPort = (i: number, p: Partial<PortRow>) => set('ports', form.ports.map((row, k) => (k === i ? { ...row, ...p } : row)));

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const { request, errors } = parseRunForm(form);
    setErrors(errors);
    if (!request) return;
    setBusy(true);
    try {
      const { id } = await berth().containers.run(request);
      notify('info', `Started ${request.name ?? id.slice(0, 12)}.`);
      onClose();
      go({ view: 'containers' });
    } catch (err) {
      setErrors([errorMessage(err)]);
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Run ${image}`} onClose={onClose} wide testId="run-dialog"
      footer={<>
        <button type="button" className="button" onClick={onClose}>Cancel</button>
        <button type="submit" form="run-form" className="button primary" disabled={busy}>{busy ? 'Starting…' : 'Run'}</button>
      </>}>
      <form id="run-form" className="form" onSubmit={submit}>
        <label className="field"><span>Container name</span>
          <input className="input" value={form.name} onChange={(e) => set('name', e.target.value)} placeholder="a random name if empty" autoFocus />
        </label>
        <fieldset className="field">
          <legend>Ports</legend>
          {form.ports.map((p, i) => (
            <div className="port-row" key={i}>
              <input className="input narrow" inputMode="numeric" aria-label={`Host port ${i + 1}`} placeholder="host" value={p.hostPort} onChange={(e) => setPort(i, { hostPort: e.target.value })} />
              <span aria-hidden="true">→</span>
              <input className="input narrow" inputMode="numeric" aria-label={`Container port ${i + 1}`} placeholder="container" value={p.containerPort} onChange={(e) => setPort(i, { containerPort: e.target.value })} />
              <select className="input" aria-label={`Protocol ${i + 1}`} value={p.proto} onChange={(e) => setPort(i, { proto: e.target.value as PortRow['proto'] })}>
                <option value="tcp">TCP</option><option value="udp">UDP</option>
              </select>
              <button type="button" className="icon-button" aria-label={`Remove port ${i + 1}`} onClick={() => set('ports', form.ports.filter((_, k) => k !== i))}>×</button>
            </div>
          ))}
          <button type="button" className="button small" onClick={() => set('ports', [...form.ports, { hostPort: '', containerPort: '', proto: 'tcp' }])}>Add port</button>
        </fieldset>
        <label className="field"><span>Environment variables <span className="muted">(KEY=value, one per line)</span></span>
          <textarea className="input mono" rows={3} value={form.env} onChange={(e) => set('env', e.target.value)} />
        </label>
        <label className="field"><span>Volumes <span className="muted">(volume-or-host-path:/container/path[:ro], one per line)</span></span>
          <textarea className="input mono" rows={2} value={form.volumes} onChange={(e) => set('volumes', e.target.value)} />
        </label>
        <div className="field-row">
          <label className="field"><span>CPUs</span>
            <input className="input narrow" inputMode="decimal" value={form.cpus} onChange={(e) => set('cpus', e.target.value)} placeholder="no limit" />
          </label>
          <label className="field"><span>Memory (MB)</span>
            <input className="input narrow" inputMode="numeric" value={form.memoryMb} onChange={(e) => set('memoryMb', e.target.value)} placeholder="no limit" />
          </label>
        </div>
        {errors.length > 0 && <ul className="form-error" role="alert">{errors.map((e) => <li key={e}>{e}</li>)}</ul>}
      </form>
    </Dialog>
  );
}
