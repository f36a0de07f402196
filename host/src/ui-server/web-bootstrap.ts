// berth-web.js: loaded by the renderer's index.html before its own bundle in web mode. It makes
// `window.berth` the typed API over the page's WebSocket, with the token from the page's URL, and
// reports the connection state as `window.berthConnection.state` plus `berth:connection` events.
import { createApiClient } from '../../../protocol/src/index.ts';
import { createWsTransport, type ConnectionState, type WsTransportOptions } from './ws-client-transport.ts';

const token = new URLSearchParams(location.search).get('token') ?? '';
const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
const transport = createWsTransport(`${scheme}://${location.host}/api?token=${encodeURIComponent(token)}`, {
  // The DOM's handler types are narrower than the transport's structural ones; the shape matches.
  WebSocket: WebSocket as unknown as WsTransportOptions['WebSocket'],
  onState: (state: ConnectionState) => window.dispatchEvent(new CustomEvent('berth:connection', { detail: { state } })),
});

const w = window as unknown as Record<string, unknown>;
w.berth = createApiClient(transport);
w.berthConnection = {
  get state() {
    return transport.state;
  },
  mode: 'web',
};
