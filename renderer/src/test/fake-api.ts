// A recording stand-in for window.berth in unit tests: rpc results come from handlers, streams
// are driven by the test through emit()/end().
import type { BerthApi } from '../../../protocol/src/api-client.ts';

type Handler = (params: unknown) => unknown;

export interface FakeApi {
  api: BerthApi;
  calls: { method: string; params: unknown }[];
  on(method: string, handler: Handler): void;
  emit(method: string, event: unknown): void;
  end(method: string, err?: Error): void;
  subscribers(method: string): number;
}

export function fakeApi(): FakeApi {
  const handlers = new Map<string, Handler>();
  const subs = new Map<string, Set<{ onEvent: (e: unknown) => void; onEnd?: (err?: Error) => void }>>();
  const calls: FakeApi['calls'] = [];
  const api = new Proxy({}, {
    get: (_t, ns: string) => new Proxy({}, {
      get: (_t2, name: string) => (params: unknown, onEvent?: (e: unknown) => void, onEnd?: (err?: Error) => void) => {
        const method = `${ns}.${name}`;
        calls.push({ method, params });
        if (onEvent) {
          const sub = { onEvent, onEnd };
          if (!subs.has(method)) subs.set(method, new Set());
          subs.get(method)?.add(sub);
          return () => subs.get(method)?.delete(sub);
        }
        const h = handlers.get(method);
        if (!h) return Promise.resolve({ ok: true });
        try {
          return Promise.resolve(h(params));
        } catch (err) {
          return Promise.reject(err);
        }
      },
    }),
  }) as BerthApi;
  return {
    api,
    calls,
    on: (method, handler) => handlers.set(method, handler),
    emit: (method, event) => subs.get(method)?.forEach((s) => s.onEvent(event)),
    end: (method, err) => {
      subs.get(method)?.forEach((s) => s.onEnd?.(err));
      subs.delete(method);
    },
    subscribers: (method) => subs.get(method)?.size ?? 0,
  };
}
