import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createApiClient, type ApiImplementation, type ServerMessage } from '../../protocol/src/index.ts';
import { FakeWebContents } from './electron-fakes.ts';
import { attachApiBridge } from './ipc-bridge.ts';
import { API_CHANNEL } from './ipc-channel.ts';

const settle = () => new Promise((r) => setTimeout(r, 5));

function setup(impl: Partial<ApiImplementation>) {
  const ipcMain = new EventEmitter();
  const wc = new FakeWebContents();
  attachApiBridge(ipcMain as never, wc as never, impl as ApiImplementation);
  const fromFrame = (frame: { processId: number; routingId: number; url: string } | null, msg: unknown, sender: unknown = wc) =>
    ipcMain.emit(API_CHANNEL, { sender, senderFrame: frame }, msg);
  const fromApp = (msg: unknown) => fromFrame(wc.mainFrame, msg);
  const replies = () => wc.sent.filter(([c]) => c === API_CHANNEL).map(([, m]) => m as ServerMessage);
  return { ipcMain, wc, fromFrame, fromApp, replies };
}

const info = { mode: 'native', state: 'running', version: '0.1.0', apiVersion: '1.50', os: 'linux', kernel: '6', cpus: 2, memory: 1, containers: 0, running: 0, images: 0, socket: '/s' } as const;

describe('IPC bridge', () => {
  it('answers our window on the one channel', async () => {
    const { fromApp, replies } = setup({ 'engine.info': async () => info });
    fromApp({ t: 'call', id: 7, method: 'engine.info', params: {} });
    await settle();
    expect(replies()).toEqual([{ t: 'result', id: 7, result: info }]);
  });

  it('ignores other webContents, subframes, foreign pages and a gone frame', async () => {
    let calls = 0;
    const { wc, fromFrame, replies } = setup({ 'engine.info': async () => (calls++, info) });
    const msg = { t: 'call', id: 1, method: 'engine.info', params: {} };
    fromFrame(wc.mainFrame, msg, new FakeWebContents());
    fromFrame({ processId: 1, routingId: 2, url: 'app://berth/index.html' }, msg);
    fromFrame({ processId: 1, routingId: 1, url: 'https://evil.example/' }, msg);
    fromFrame(null, msg);
    await settle();
    expect(calls).toBe(0);
    expect(replies()).toEqual([]);
  });

  it('carries the engine error message to a client built the way the preload builds it', async () => {
    const { ipcMain, wc } = setup({
      'containers.stop': async () => {
        throw Object.assign(new Error('No such container: nope'), { kind: 'NotFound' });
      },
    });
    let toClient: (m: ServerMessage) => void = () => undefined;
    wc.send = (channel: string, m: unknown) => channel === API_CHANNEL && toClient(structuredClone(m) as ServerMessage);
    const api = createApiClient({
      send: (m) => ipcMain.emit(API_CHANNEL, { sender: wc, senderFrame: wc.mainFrame }, structuredClone(m)),
      onMessage: (h) => (toClient = h),
    });
    await expect(api.containers.stop({ id: 'nope' })).rejects.toMatchObject({ message: 'No such container: nope', kind: 'NotFound' });
  });

  it('stops and mutes the old page\'s streams when the page reloads', async () => {
    const aborted: number[] = [];
    let emitters: Array<(e: { data: string }) => void> = [];
    const { wc, fromApp, replies } = setup({
      'terminal.output': async (p, emit, signal) => {
        emitters.push(emit);
        await new Promise<void>((r) => signal.addEventListener('abort', () => r()));
        aborted.push(emitters.indexOf(emit));
      },
    });
    fromApp({ t: 'sub', id: 1, method: 'terminal.output', params: { sessionId: 's' } });
    await settle();
    emitters[0]({ data: 'a' });
    expect(replies()).toEqual([{ t: 'event', id: 1, data: { data: 'a' } }]);

    wc.emit('did-start-navigation', { isMainFrame: false, isSameDocument: false });
    wc.emit('did-start-navigation', { isMainFrame: true, isSameDocument: true });
    await settle();
    expect(aborted).toEqual([]);

    wc.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false });
    await settle();
    expect(aborted).toEqual([0]);
    // The new page reuses id 1; nothing from the old stream (not even its 'end') may reach it.
    fromApp({ t: 'sub', id: 1, method: 'terminal.output', params: { sessionId: 's' } });
    await settle();
    emitters[0]({ data: 'stale' });
    emitters[1]({ data: 'fresh' });
    expect(replies().slice(1)).toEqual([{ t: 'event', id: 1, data: { data: 'fresh' } }]);
    emitters = [];
  });

  it('lets go of the channel and the streams when the window is destroyed', async () => {
    let aborted = false;
    const { ipcMain, wc, fromApp } = setup({
      'engine.events': async (_p, _emit, signal) => {
        await new Promise<void>((r) => signal.addEventListener('abort', () => r()));
        aborted = true;
      },
    });
    fromApp({ t: 'sub', id: 1, method: 'engine.events', params: {} });
    await settle();
    wc.destroyed = true;
    wc.emit('destroyed');
    await settle();
    expect(aborted).toBe(true);
    expect(ipcMain.listenerCount(API_CHANNEL)).toBe(0);
  });
});
