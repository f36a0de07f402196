// Electron's main-process entry (bundled to dist/electron/main.mjs). Everything with logic lives
// in modules that take Electron as a parameter; this file only finds paths and hands over.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// Named exports are what Electron's ESM loader guarantees (import { app } from 'electron'); take them all.
import * as electron from 'electron';
import { startBerthApp } from './berth-app.ts';
import { openHostService } from './host-service.ts';

const here = path.dirname(fileURLToPath(import.meta.url)); // dist/electron
const root = path.resolve(here, '../..');

startBerthApp(electron, {
  openService: () => openHostService(),
  rendererDir: path.join(root, 'dist/renderer'),
  preload: path.join(here, 'preload.cjs'),
  trayIcon: path.join(root, 'build/icons/tray.png'),
  windowIcon: path.join(root, 'build/icons/icon.png'),
});
