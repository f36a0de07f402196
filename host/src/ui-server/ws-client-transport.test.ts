import { describe, expect, it } from 'vitest';
import { createApiClient, type ServerMessage } from '../../../protocol/src/index.ts';
import { createWsTransport, type WebSocketLike } from './ws-client-transport.ts';

class FakeSocket implements WebSocketLike {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(d: string) {
    this.sent.push(d);
  }
  close(code = 1000) {
    this.drop(code);
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code, reason: '' });
  }
  reply(m: ServerMessage) {
    this.onmessage?.({ data: JSON.stringify(m) });
  }
}

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('WebSocket client transport', () => {
  it('queues until open, fails in-flight work on a drop, then reconnects', async () => {
    FakeSocket.all = [];
    const states: string[] = [];
    const t = createWsTransport('ws://x/api', { WebSocket: FakeSocket, minRetryMs: 1, onState: (s) => states.push(s) });
    const api = createApiClient(t);
    const info = api.engine.info();
    const ends: unknown[] = [];
    api.engine.events({}, () => undefined, (err) => ends.push(err));
    const s1 = FakeSocket.all[0];
    expect(s1.sent).toEqual([]);
    s1.open();
    expect(s1.sent.map((m) => JSON.parse(m).t)).toEqual(['call', 'sub']);
    s1.drop();
    await expect(info).rejects.toMatchObject({ kind: 'Unavailable' });
    expect(ends).toEqual([expect.objectContaining({ kind: 'Unavailable' })]);
    await tick();
    const s2 = FakeSocket.all[1];
    expect(s2).toBeDefined();
    const list = api.containers.list();
    s2.open();
    const call = JSON.parse(s2.sent[0]);
    s2.reply({ t: 'result', id: call.id, result: [] });
    await expect(list).resolves.toEqual([]);
    expect(states).toEqual(['open', 'reconnecting', 'open']);
    t.close();
  });

  it('stops on a refused token and fails later calls at once', async () => {
    FakeSocket.all = [];
    const t = createWsTransport('ws://x/api', { WebSocket: FakeSocket, minRetryMs: 1 });
    const api = createApiClient(t);
    const p = api.engine.info();
    FakeSocket.all[0].open();
    FakeSocket.all[0].drop(4401);
    await expect(p).rejects.toMatchObject({ kind: 'Unauthorized' });
    await tick();
    expect(FakeSocket.all).toHaveLength(1);
    expect(t.state).toBe('unauthorized');
    await expect(api.engine.info()).rejects.toMatchObject({ kind: 'Unavailable' });
  });
});
