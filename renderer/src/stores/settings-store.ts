// The host's settings and the bounds the host allows for them.
import { create } from 'zustand';
import type { HostLimits, Settings } from '../../../protocol/src/api-shapes.ts';
import { berth, errorMessage } from '../berth-api.ts';
import { applyTheme } from '../theme.ts';

interface SettingsState {
  settings?: Settings;
  limits?: HostLimits;
  loading: boolean;
  error?: string;
  load(): Promise<void>;
  /** Saves a change; resolves to whether the VM must restart to apply it. */
  update(change: Partial<Settings>): Promise<boolean>;
}

export const useSettings = create<SettingsState>()((set) => ({
  loading: false,
  async load() {
    set({ loading: true, error: undefined });
    try {
      const { settings, limits } = await berth().settings.get();
      set({ settings, limits, loading: false });
      applyTheme(settings.theme);
    } catch (err) {
      set({ loading: false, error: errorMessage(err) });
    }
  },
  async update(change) {
    const { settings, restartNeeded } = await berth().settings.update(change);
    set({ settings });
    applyTheme(settings.theme);
    return restartNeeded;
  },
}));
