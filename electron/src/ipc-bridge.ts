// Main's end of the one IPC channel: each message from our window's top frame goes to a
// protocol dispatcher over the host's API implementation; replies go back on the same channel.
// A new document (reload) gets a new dispatcher, and the old one's streams are stopped and muted
// so their late events can't reach the new page under reused ids.
import type { IpcMain, IpcMainEvent, WebContents } from 'electron';
import { createDispatcher, type ApiImplementation, type Dispatcher } from '../../protocol/src/index.ts';
import { isAppUrl } from './app-protocol.ts';
import { API_CHANNEL } from './ipc-channel.ts';

type BridgeContents = Pick<WebContents, 'send' | 'on' | 'once' | 'isDestroyed' | 'mainFrame'>;

/** Only our window's top frame, showing our own renderer, may call the API. */
export function isTrustedSender(event: Pick<IpcMainEvent, 'sender' | 'senderFrame'>, contents: BridgeContents): boolean {
  const frame = event.senderFrame;
  if (event.sender !== contents || !frame) return false;
  const main = contents.mainFrame;
  return frame.processId === main.processId && frame.routingId === main.routingId && isAppUrl(frame.url);
}

export interface ApiBridge {
  /** Stops every stream of the current page (the window is going away). */
  close(): void;
}

export function attachApiBridge(ipcMain: Pick<IpcMain, 'on' | 'removeListener'>, contents: BridgeContents, service: ApiImplementation): ApiBridge {
  let current: { dispatcher: Dispatcher; live: boolean } | undefined;
  const open = () => {
    const gen = { live: true, dispatcher: undefined as unknown as Dispatcher };
    gen.dispatcher = createDispatcher(service, (m) => {
      if (gen.live && !contents.isDestroyed()) contents.send(API_CHANNEL, m);
    });
    return gen;
  };
  const reset = () => {
    if (!current) return;
    current.live = false;
    current.dispatcher.close();
    current = undefined;
  };
  const onMessage = (event: IpcMainEvent, raw: unknown) => {
    if (!isTrustedSender(event, contents)) return;
    (current ??= open()).dispatcher.receive(raw);
  };
  ipcMain.on(API_CHANNEL, onMessage);
  contents.on('did-start-navigation', (details) => {
    if (details.isMainFrame && !details.isSameDocument) reset();
  });
  contents.on('render-process-gone', reset);
  contents.once('destroyed', () => {
    reset();
    ipcMain.removeListener(API_CHANNEL, onMessage);
  });
  return { close: reset };
}
