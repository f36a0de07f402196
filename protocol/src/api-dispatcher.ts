// The generic server side: validates each message against the contract and calls the
// implementation. host/ gives it an implementation; a transport feeds it messages.
import { z } from 'zod';
import { contract, type Contract, type EventOf, type MethodName, type ResultOf, type RpcName, type StreamName } from './api-contract.ts';
import { ClientMessage, type ApiErrorBody, type ServerMessage } from './api-wire.ts';

type Params<K extends MethodName> = z.output<Contract[K]['params']>;

export type ApiImplementation = {
  [K in RpcName]: (params: Params<K>) => Promise<ResultOf<K>>;
} & {
  [K in StreamName]: (params: Params<K>, emit: (e: EventOf<K>) => void, signal: AbortSignal) => Promise<void>;
};

export interface Dispatcher {
  /** Handle one raw message from a client. */
  receive(raw: unknown): void;
  /** The client went away: stop its streams. */
  close(): void;
}

export function errorBody(e: unknown): ApiErrorBody {
  if (e instanceof z.ZodError) return { message: `invalid parameters: ${e.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`, kind: 'InvalidArgument' };
  const err = e as { message?: string; kind?: string; statusCode?: number; json?: { message?: string } };
  return { message: err?.json?.message ?? err?.message ?? String(e), kind: err?.kind ?? (err?.statusCode ? String(err.statusCode) : undefined) };
}

export function createDispatcher(impl: ApiImplementation, send: (m: ServerMessage) => void): Dispatcher {
  const streams = new Map<number, AbortController>();
  const call = impl as unknown as Record<string, (p: unknown, emit?: (e: unknown) => void, s?: AbortSignal) => Promise<unknown>>;
  return {
    receive(raw) {
      const parsed = ClientMessage.safeParse(raw);
      if (!parsed.success) return;
      const m = parsed.data;
      if (m.t === 'unsub') {
        streams.get(m.id)?.abort();
        streams.delete(m.id);
        return;
      }
      const spec = (contract as Record<string, Contract[MethodName]>)[m.method];
      if (!spec || (spec.kind === 'rpc') !== (m.t === 'call')) {
        const error = { message: `unknown method ${m.method}`, kind: 'NotFound' };
        send(m.t === 'call' ? { t: 'error', id: m.id, error } : { t: 'end', id: m.id, error });
        return;
      }
      if (m.t === 'call') {
        void (async () => spec.params.parse(m.params))()
          .then((p) => call[m.method](p))
          .then((result) => send({ t: 'result', id: m.id, result }), (e) => send({ t: 'error', id: m.id, error: errorBody(e) }));
        return;
      }
      const ac = new AbortController();
      streams.set(m.id, ac);
      void (async () => spec.params.parse(m.params))()
        .then((p) => call[m.method](p, (data) => !ac.signal.aborted && send({ t: 'event', id: m.id, data }), ac.signal))
        .then(() => send({ t: 'end', id: m.id }), (e) => send({ t: 'end', id: m.id, error: errorBody(e) }))
        .finally(() => streams.delete(m.id));
    },
    close() {
      for (const ac of streams.values()) ac.abort();
      streams.clear();
    },
  };
}
