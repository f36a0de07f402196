// Runs sandboxed in the window before the renderer: exposes the typed API as `window.berth`,
// carried over the one IPC channel. Bundled to CommonJS (sandboxed preloads can't load our ESM).
import { contextBridge, ipcRenderer } from 'electron';
import { createApiClient, type ClientTransport } from '../../protocol/src/api-client.ts';
import type { ServerMessage } from '../../protocol/src/api-wire.ts';
import { API_CHANNEL } from './ipc-channel.ts';

const transport: ClientTransport = {
  send: (msg) => ipcRenderer.send(API_CHANNEL, msg),
  onMessage: (handler) => {
    ipcRenderer.on(API_CHANNEL, (_event, msg: ServerMessage) => handler(msg));
  },
};

// createApiClient returns plain nested objects of functions, which contextBridge proxies as is.
contextBridge.exposeInMainWorld('berth', createApiClient(transport));
