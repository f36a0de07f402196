// The one IPC channel between preload and main. It carries protocol/ wire messages
// (ClientMessage one way, ServerMessage the other); method names travel inside them.
export const API_CHANNEL = 'berth:api';
