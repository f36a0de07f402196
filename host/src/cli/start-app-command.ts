// `berth start-app` (what `npm start` runs): the Electron app when its binary is installed;
// otherwise, on Linux as root, the native engine plus web mode, printing the URL. The VM path
// takes over the second branch on every OS when the VM issue lands.
import { existsSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { berthHome } from '../settings/berth-home.ts';
import { EngineClient } from '../engine-client/engine-client.ts';
import { distPaths } from './dist-paths.ts';
import { startNativeEngine } from './native-engine.ts';
import { DEFAULT_SOCKET } from '../engine-client/engine-socket.ts';
import { runWebMode, stopSignal } from './web-mode.ts';

export const startAppUsage = 'berth start-app [--port N]                       (npm start)';

export async function startAppCommand(argv: string[]): Promise<number> {
  const app = electronApp();
  if (app) {
    process.stdout.write(`Starting the Berth app (${app.entry})\n`);
    const child = spawn(app.binary, [app.entry], { stdio: 'inherit' });
    return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  }
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    process.stderr.write(
      "berth: Electron's binary is not installed, and without the VM the engine runs natively only on Linux as root.\n" +
        'Install Electron (npm install without ELECTRON_SKIP_BINARY_DOWNLOAD) or run `sudo npm start` on Linux.\n',
    );
    return 1;
  }
  const portFlag = argv.indexOf('--port');
  const port = portFlag >= 0 ? Number(argv[portFlag + 1]) : 0;
  const socket = DEFAULT_SOCKET;
  const home = berthHome();
  const running = await new EngineClient(socket).ping();
  let engine = running ? undefined : await startNativeEngine(distPaths.agent, socket, home);
  if (running) process.stdout.write(`Using the engine already running at ${socket}\n`);
  // Restarting the engine we own applies daemon.json; containers keep running under their
  // shims and are re-adopted (live-restore).
  const control = engine
    ? { restart: async () => { await engine!.stop(); engine = await startNativeEngine(distPaths.agent, socket, home); } }
    : undefined;
  await runWebMode({ socket, port, mode: 'native', logs: engine ? { engine: engine.logFile } : undefined, control, engineConfigFile: engine?.configFile }, stopSignal());
  // Containers keep running under their shims; the next start re-adopts them.
  await engine?.stop();
  return 0;
}

/** Electron's binary and the app entry, when both exist. */
function electronApp(): { binary: string; entry: string } | undefined {
  let binary: unknown;
  try {
    // The electron package exports the binary's path, and throws when the download was skipped.
    binary = createRequire(path.join(distPaths.root, 'package.json'))('electron');
  } catch {
    return undefined;
  }
  if (typeof binary !== 'string' || !existsSync(binary)) return undefined;
  const pkg = JSON.parse(readFileSync(path.join(distPaths.root, 'package.json'), 'utf8')) as { main?: string };
  const candidates = [pkg.main ? path.join(distPaths.root, pkg.main) : '', path.join(distPaths.root, 'dist', 'electron', 'main.mjs')];
  const entry = candidates.find((c) => c && existsSync(c));
  return entry ? { binary, entry } : undefined;
}
