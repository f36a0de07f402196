// The client side of web mode's WebSocket: JSON messages per frame, reconnecting with backoff.
// A lost connection fails what was in flight (calls reject, streams end with an `Unavailable`
// error) so the UI can re-subscribe; messages sent while disconnected wait for the next connection.
// Runs in the browser (berth-web.js) and in Node tests (with the `ws` package's WebSocket).
import type { ClientMessage, ClientTransport, ServerMessage } from '../../../protocol/src/index.ts';

export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'unauthorized' | 'closed';

export interface WsTransportOptions {
  WebSocket: new (url: string) => WebSocketLike;
  onState?: (state: ConnectionState) => void;
  minRetryMs?: number;
  maxRetryMs?: number;
}

export interface WsTransport extends ClientTransport {
  readonly state: ConnectionState;
  close(): void;
}

/** The server's close code for a missing or wrong token. */
export const CLOSE_UNAUTHORIZED = 4401;
const OPEN = 1;

export function createWsTransport(url: string, opts: WsTransportOptions): WsTransport {
  const min = opts.minRetryMs ?? 250;
  const max = opts.maxRetryMs ?? 5000;
  let handler: (m: ServerMessage) => void = () => undefined;
  let state: ConnectionState = 'connecting';
  let ws: WebSocketLike | undefined;
  let retry = min;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const queue: ClientMessage[] = [];
  const inFlight = new Map<number, 'call' | 'sub'>();

  const setState = (s: ConnectionState) => {
    state = s;
    opts.onState?.(s);
  };
  const fail = (id: number, kind: 'call' | 'sub', message: string, code: string) => {
    const error = { message, kind: code };
    handler(kind === 'call' ? { t: 'error', id, error } : { t: 'end', id, error });
  };
  const transmit = (m: ClientMessage) => {
    ws!.send(JSON.stringify(m));
    if (m.t === 'unsub') inFlight.delete(m.id);
    else inFlight.set(m.id, m.t);
  };

  const connect = () => {
    const sock = new opts.WebSocket(url);
    ws = sock;
    sock.onopen = () => {
      retry = min;
      setState('open');
      for (const m of queue.splice(0)) transmit(m);
    };
    sock.onmessage = (ev) => {
      const m = JSON.parse(String(ev.data)) as ServerMessage;
      if (m.t !== 'event') inFlight.delete(m.id);
      handler(m);
    };
    sock.onerror = () => undefined;
    sock.onclose = (ev) => {
      if (ws !== sock) return;
      ws = undefined;
      const unauthorized = ev.code === CLOSE_UNAUTHORIZED;
      const [message, code] = unauthorized
        ? ['Berth refused the connection: the token is missing or wrong.', 'Unauthorized']
        : ['The connection to Berth was lost.', 'Unavailable'];
      const lost = [...inFlight];
      inFlight.clear();
      for (const [id, kind] of lost) fail(id, kind, message, code);
      if (unauthorized || state === 'closed') {
        for (const m of queue.splice(0)) if (m.t !== 'unsub') fail(m.id, m.t, message, code);
        if (state !== 'closed') setState('unauthorized');
        return;
      }
      setState('reconnecting');
      timer = setTimeout(connect, retry);
      retry = Math.min(max, retry * 2);
    };
  };
  connect();

  return {
    get state() {
      return state;
    },
    send(m) {
      if (state === 'unauthorized' || state === 'closed') {
        if (m.t !== 'unsub') queueMicrotask(() => fail(m.id, m.t, `Not connected to Berth (${state}).`, 'Unavailable'));
        return;
      }
      if (ws && ws.readyState === OPEN) transmit(m);
      else queue.push(m);
    },
    onMessage(h) {
      handler = h;
    },
    close() {
      setState('closed');
      if (timer) clearTimeout(timer);
      ws?.close(1000, 'client closed');
    },
  };
}
