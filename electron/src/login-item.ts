// "Start at login" follows the stored setting: applied at start-up and after every
// settings.update that goes through this app's API.
import type { App } from 'electron';
import type { ApiImplementation } from '../../protocol/src/index.ts';

export type LoginItemApp = Pick<App, 'setLoginItemSettings'>;

export function applyStartAtLogin(app: LoginItemApp, on: boolean): void {
  // macOS and Windows; Electron ignores it on Linux (no autostart entry is written there yet).
  app.setLoginItemSettings({ openAtLogin: on });
}

/** The service, with settings.update also applying startAtLogin to the OS. */
export function withLoginItem(service: ApiImplementation, app: LoginItemApp): ApiImplementation {
  // Object.create keeps a class-based implementation's other methods and `this` working.
  const wrapped = Object.create(service) as ApiImplementation;
  wrapped['settings.update'] = async (patch) => {
    const result = await service['settings.update'](patch);
    applyStartAtLogin(app, result.settings.startAtLogin);
    return result;
  };
  return wrapped;
}

/** Applies the stored setting once at start-up; a failing settings store leaves the OS as it is. */
export async function syncLoginItem(service: Pick<ApiImplementation, 'settings.get'>, app: LoginItemApp): Promise<void> {
  try {
    const { settings } = await service['settings.get']({});
    applyStartAtLogin(app, settings.startAtLogin);
  } catch {
    // Nothing to apply.
  }
}
