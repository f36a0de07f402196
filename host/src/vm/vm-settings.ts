// VM sizing: the user's settings (host/src/settings, the same file the UI edits) overridden by
// command-line flags. The accelerator is not a setting yet: `auto` unless --accel says.
import { SettingsStore } from '../settings/settings-store.ts';
import { hostLimits } from '../settings/host-limits.ts';
import type { AccelChoice } from './driver.ts';

export interface VmSettings {
  cpus: number;
  memoryMiB: number;
  diskGiB: number;
  accel: AccelChoice;
  sharedFolders: string[];
}

const ACCELS: readonly AccelChoice[] = ['auto', 'kvm', 'tcg', 'hvf', 'whpx'];

export function parseAccel(v: string): AccelChoice {
  if (!(ACCELS as readonly string[]).includes(v)) throw new Error(`--accel must be one of ${ACCELS.join(', ')} (got "${v}")`);
  return v as AccelChoice;
}

export async function resolveVmSettings(homeDir: string, settingsFile: string, flags: Partial<VmSettings>): Promise<VmSettings> {
  const s = (await SettingsStore.open(settingsFile, hostLimits(homeDir))).get();
  return {
    cpus: flags.cpus ?? s.cpus,
    memoryMiB: flags.memoryMiB ?? s.memoryMb,
    diskGiB: flags.diskGiB ?? s.diskGb,
    accel: flags.accel ?? 'auto',
    sharedFolders: flags.sharedFolders ?? s.sharedFolders,
  };
}
