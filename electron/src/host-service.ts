// The one place electron/ meets host/: opens the settings store and the host's implementation of
// the whole API, as web mode does. Until the VM manager lands the app talks to a native engine
// at DOCKER_HOST or the default socket (`berth engine`); VM mode replaces `mode` and `socket` here.
import path from 'node:path';
import { createBerthService } from '../../host/src/api/berth-service.ts';
import { engineSocket } from '../../host/src/cli/web-mode.ts';
import { berthHome } from '../../host/src/settings/berth-home.ts';
import { hostLimits } from '../../host/src/settings/host-limits.ts';
import { SettingsStore } from '../../host/src/settings/settings-store.ts';
import { contract, type ApiImplementation } from '../../protocol/src/index.ts';

export type HostService = ApiImplementation & { dispose?(): void };

export async function openHostService(env: NodeJS.ProcessEnv = process.env): Promise<HostService> {
  const home = berthHome(env);
  const settings = await SettingsStore.open(path.join(home, 'settings.json'), hostLimits(home));
  return createBerthService({ socket: engineSocket(undefined, env), settings, mode: 'native' });
}

/** Every method fails with `reason` (kind Unavailable); streams end with it. For a host that failed to open. */
export function createUnavailableService(reason: string): HostService {
  const impl: Record<string, () => Promise<never>> = {};
  for (const method of Object.keys(contract)) {
    impl[method] = async () => {
      throw Object.assign(new Error(reason), { kind: 'Unavailable' });
    };
  }
  return impl as unknown as HostService;
}
