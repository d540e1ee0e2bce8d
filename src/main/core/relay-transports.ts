// The relay connection's real transports: `ws` for WebSocket, node:http(s) for long polling (tests replace them).
import type { TransportFactory } from './relay-connection-types';
import { openPollTransport } from './relay-transport-poll';
import { openWsTransport, probeWebSocket } from './relay-transport-ws';

/** The real transports: `ws` for WebSocket, node:http(s) for long polling. */
export const nodeTransports: TransportFactory = {
  open: (kind, params, handlers) => (kind === 'ws' ? openWsTransport(params, handlers) : openPollTransport(params, handlers)),
  probeWebSocket: (params) => probeWebSocket(params),
};
