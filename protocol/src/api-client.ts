// The generic client: `api.containers.list({})` or `api.containers.logs(params, onEvent)` become
// wire messages over any transport. Names come from the contract's types, never typed by hand.
import type { EventOf, MethodName, ParamsOf, ResultOf, RpcName, StreamName } from './api-contract.ts';
import { contract } from './api-contract.ts';
import { ApiError, type ClientMessage, type ServerMessage } from './api-wire.ts';

type Split<K> = K extends `${infer A}.${infer B}` ? [A, B] : never;
type Namespace = Split<MethodName>[0];
type Fn<K extends MethodName> = K extends RpcName
  ? (params?: ParamsOf<K>) => Promise<ResultOf<K>>
  : K extends StreamName
    ? (params: ParamsOf<K>, onEvent: (e: EventOf<K>) => void, onEnd?: (err?: ApiError) => void) => () => void
    : never;

export type BerthApi = {
  [N in Namespace]: { [K in MethodName as Split<K>[0] extends N ? Split<K>[1] : never]: Fn<K> };
};

export interface ClientTransport {
  send(msg: ClientMessage): void;
  onMessage(handler: (msg: ServerMessage) => void): void;
}

export function createApiClient(transport: ClientTransport): BerthApi {
  let nextId = 1;
  const calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: ApiError) => void }>();
  const subs = new Map<number, { onEvent: (e: unknown) => void; onEnd?: (err?: ApiError) => void }>();
  transport.onMessage((m) => {
    if (m.t === 'result') calls.get(m.id)?.resolve(m.result);
    else if (m.t === 'error') calls.get(m.id)?.reject(new ApiError(m.error.message, m.error.kind));
    else if (m.t === 'event') subs.get(m.id)?.onEvent(m.data);
    else if (m.t === 'end') {
      subs.get(m.id)?.onEnd?.(m.error ? new ApiError(m.error.message, m.error.kind) : undefined);
      subs.delete(m.id);
    }
    if (m.t === 'result' || m.t === 'error') calls.delete(m.id);
  });
  const invoke = (method: MethodName, params: unknown, onEvent?: (e: unknown) => void, onEnd?: (err?: ApiError) => void) => {
    const id = nextId++;
    if (contract[method].kind === 'rpc') {
      return new Promise((resolve, reject) => {
        calls.set(id, { resolve, reject });
        transport.send({ t: 'call', id, method, params: params ?? {} });
      });
    }
    subs.set(id, { onEvent: onEvent ?? (() => undefined), onEnd });
    transport.send({ t: 'sub', id, method, params: params ?? {} });
    return () => {
      if (subs.delete(id)) transport.send({ t: 'unsub', id });
    };
  };
  const namespaces: Record<string, Record<string, unknown>> = {};
  for (const method of Object.keys(contract) as MethodName[]) {
    const [ns, name] = method.split('.');
    (namespaces[ns] ??= {})[name] = (params: unknown, onEvent?: (e: unknown) => void, onEnd?: (err?: ApiError) => void) =>
      invoke(method, params, onEvent, onEnd);
  }
  return namespaces as unknown as BerthApi;
}
