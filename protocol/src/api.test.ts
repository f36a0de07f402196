import { describe, expect, it } from 'vitest';
import { createApiClient } from './api-client.ts';
import { createDispatcher, type ApiImplementation } from './api-dispatcher.ts';
import type { ClientMessage, ServerMessage } from './api-wire.ts';

function pair(impl: Partial<ApiImplementation>) {
  let toClient: (m: ServerMessage) => void = () => undefined;
  const d = createDispatcher(impl as ApiImplementation, (m) => queueMicrotask(() => toClient(JSON.parse(JSON.stringify(m)))));
  const api = createApiClient({
    send: (m: ClientMessage) => queueMicrotask(() => d.receive(JSON.parse(JSON.stringify(m)))),
    onMessage: (h) => (toClient = h),
  });
  return { api, d };
}

describe('typed API over a transport', () => {
  it('calls rpc methods with validated params and returns results', async () => {
    const { api } = pair({ 'containers.remove': async (p) => { expect(p).toEqual({ id: 'abc', force: false }); return { ok: true }; } });
    await expect(api.containers.remove({ id: 'abc' })).resolves.toEqual({ ok: true });
  });

  it('rejects bad params and carries the engine message and kind', async () => {
    const { api } = pair({
      'containers.stop': async () => {
        throw Object.assign(new Error('No such container: nope'), { kind: 'NotFound' });
      },
    });
    await expect(api.containers.stop({ id: '' })).rejects.toThrow(/invalid parameters: id/);
    await expect(api.containers.stop({ id: 'nope' })).rejects.toMatchObject({ message: 'No such container: nope', kind: 'NotFound' });
  });

  it('streams events until the client unsubscribes', async () => {
    let aborted = false;
    const { api } = pair({
      'containers.logs': async (_p, emit, signal) => {
        emit({ stream: 'stdout', time: 't', text: 'one' });
        emit({ stream: 'stderr', time: 't', text: 'two' });
        await new Promise<void>((r) => signal.addEventListener('abort', () => r()));
        aborted = true;
      },
    });
    const got: string[] = [];
    const stop = api.containers.logs({ id: 'x' }, (e) => got.push(`${e.stream}:${e.text}`));
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toEqual(['stdout:one', 'stderr:two']);
    stop();
    await new Promise((r) => setTimeout(r, 20));
    expect(aborted).toBe(true);
  });
});
