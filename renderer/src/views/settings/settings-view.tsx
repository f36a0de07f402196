// Settings: resources (bounded by the host, applied with a VM restart the user confirms), file
// sharing, registries, start at login and theme.
import { useEffect, useState } from 'react';
import type { Settings } from '../../../../protocol/src/api-shapes.ts';
import { berth, errorMessage } from '../../berth-api.ts';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { ErrorState, Loading } from '../../components/states.tsx';
import { useEngine } from '../../stores/engine-store.ts';
import { notify } from '../../stores/notices-store.ts';
import { useSettings } from '../../stores/settings-store.ts';
import { ResourceSlider } from './resource-slider.tsx';
import { settingsChange, sliderRange, touchesResources } from './settings-diff.ts';
import { StringListEditor } from './string-list-editor.tsx';

const gb = (mb: number) => `${(mb / 1024).toFixed(mb % 1024 ? 1 : 0)} GB`;

export function SettingsView() {
  const { settings, limits, error, load, update } = useSettings();
  const mode = useEngine((s) => s.info?.mode);
  const [draft, setDraft] = useState<Settings>();
  const [confirm, setConfirm] = useState(false);
  const [saving, setSaving] = useState(false);
  useEffect(() => { if (!settings) void load(); }, [settings, load]);
  useEffect(() => { if (settings && !draft) setDraft(settings); }, [settings, draft]);

  if (error && !settings) return <section className="view"><h1>Settings</h1><ErrorState title="Couldn't read the settings" message={error} onRetry={load} /></section>;
  if (!settings || !limits || !draft) return <section className="view"><h1>Settings</h1><Loading what="settings" /></section>;

  const change = settingsChange(settings, draft);
  delete change.theme;
  const dirty = Object.keys(change).length > 0;
  const set = <K extends keyof Settings>(k: K, v: Settings[K]) => setDraft({ ...draft, [k]: v });

  const apply = async () => {
    setSaving(true);
    try {
      const restartNeeded = await update(change);
      setDraft(useSettings.getState().settings);
      if (restartNeeded) {
        notify('info', 'Settings saved. Restarting the engine to apply them…');
        await berth().engine.restart();
      } else notify('info', 'Settings saved.');
    } catch (err) {
      notify('error', `Couldn't save the settings: ${errorMessage(err)}`);
    } finally {
      setSaving(false);
    }
  };
  const setTheme = (theme: Settings['theme']) => {
    setDraft({ ...draft, theme });
    update({ theme }).catch((err) => notify('error', `Couldn't save the theme: ${errorMessage(err)}`));
  };
  const cpu = sliderRange(1, limits.cpus, draft.cpus);
  const mem = sliderRange(512, limits.memoryMb, draft.memoryMb);
  const disk = sliderRange(8, limits.diskGb, draft.diskGb);

  return (
    <section className="view view-settings" aria-labelledby="settings-title">
      <header className="view-header">
        <h1 id="settings-title">Settings</h1>
        <div className="header-actions">
          <button type="button" className="button" disabled={!dirty || saving} onClick={() => setDraft(settings)}>Discard</button>
          <button type="button" className="button primary" disabled={!dirty || saving} data-testid="settings-apply"
            onClick={() => (touchesResources(change) ? setConfirm(true) : void apply())}>
            {saving ? 'Applying…' : touchesResources(change) ? 'Apply & restart' : 'Apply'}
          </button>
        </div>
      </header>

      <div className="settings-section">
        <h2>Resources</h2>
        {mode === 'native' && <p className="muted small">The engine runs natively on this host; these limits take effect when it runs in the VM.</p>}
        <ResourceSlider label="CPUs" testId="cpus" value={draft.cpus} {...cpu} step={1} format={(v) => `${v}`} onChange={(v) => set('cpus', v)} />
        <ResourceSlider label="Memory" testId="memory" value={draft.memoryMb} {...mem} step={256} format={gb} onChange={(v) => set('memoryMb', v)} />
        <ResourceSlider label="Disk size" testId="disk" value={draft.diskGb} {...disk} step={1} format={(v) => `${v} GB`} onChange={(v) => set('diskGb', v)} />
      </div>

      <div className="settings-section">
        <h2>File sharing</h2>
        <StringListEditor label="Shared folders" hint="Shared into the VM at the same path, so docker run -v $PWD:/src works."
          items={draft.sharedFolders} placeholder="/Users/me/projects" onChange={(v) => set('sharedFolders', v)} />
      </div>

      <div className="settings-section">
        <h2>Engine</h2>
        <StringListEditor label="Insecure registries" hint="Registries reached over plain HTTP or with untrusted certificates."
          items={draft.insecureRegistries} placeholder="127.0.0.1:5000" onChange={(v) => set('insecureRegistries', v)} />
        <StringListEditor label="Registry mirrors" items={draft.registryMirrors} placeholder="https://mirror.example" onChange={(v) => set('registryMirrors', v)} />
      </div>

      <div className="settings-section">
        <h2>General</h2>
        <label className="check"><input type="checkbox" checked={draft.startAtLogin} onChange={(e) => set('startAtLogin', e.target.checked)} />Start Berth when I log in</label>
        <fieldset className="field theme-choice">
          <legend>Theme</legend>
          {(['system', 'light', 'dark'] as const).map((t) => (
            <label key={t} className="check">
              <input type="radio" name="theme" value={t} checked={draft.theme === t} onChange={() => setTheme(t)} />
              {t === 'system' ? 'Use system setting' : t === 'light' ? 'Light' : 'Dark'}
            </label>
          ))}
        </fieldset>
      </div>

      {confirm && (
        <ConfirmDialog title="Apply and restart?" confirmLabel="Apply & restart" onClose={() => setConfirm(false)} onConfirm={apply}>
          <p>Changing CPUs, memory or disk size restarts the VM. Running containers stop and start again according to their restart policies.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
