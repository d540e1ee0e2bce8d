// The WebSocket transport to the relay (/v1/agent), and the side-effect-free upgrade probe used while on long polling.
import type { Duplex } from 'node:stream';
import WebSocket from 'ws';
import { MAX_FRAME_BYTES, PROTOCOL_SUBPROTOCOL } from '../../shared/protocol';
import { createRelayAgent, isSecureUrl, relayEndpoint, type NetConfig } from './net-options';
import type { RelayTransport, TransportEnd, TransportHandlers, TransportParams } from './relay-connection-types';

/** How long a graceful close waits for the relay's close frame before cutting the socket. */
const CLOSE_GRACE_MS = 1_000;
const PROBE_TIMEOUT_MS = 10_000;

export function openWsTransport(params: TransportParams, handlers: TransportHandlers): RelayTransport {
  const url = relayEndpoint(params.relayUrl, 'ws', '/v1/agent', {
    device: params.deviceId,
    since: params.since === null ? null : String(params.since),
  });
  const ws = new WebSocket(url, [PROTOCOL_SUBPROTOCOL], {
    headers: { authorization: `Bearer ${params.token}` },
    agent: createRelayAgent(params.net, isSecureUrl(url), false),
    perMessageDeflate: false,
    // The relay keeps frames under maxFrameBytes; the margin only guards against a future larger setting.
    maxPayload: MAX_FRAME_BYTES * 4,
  });
  let ended = false;
  let lastError: unknown = null;
  const closedPromise = new Promise<void>((resolve) => ws.once('close', () => resolve()));

  const end = (how: TransportEnd) => {
    if (ended) return;
    ended = true;
    handlers.ended(how);
  };

  ws.on('message', (data, isBinary) => {
    if (ended || isBinary) return;
    // binaryType is the default 'nodebuffer': a text message arrives as one Buffer.
    handlers.frame(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8'));
  });
  // Bytes of a frame still on its way prove the link alive: on a slow link one large events frame can take longer
  // than deadAfterMs to arrive, and counting only whole frames would drop the link again and again. The listener
  // goes on once ws has its own (at 'open'): an earlier one would put the socket in flowing mode and lose bytes.
  let socket: Duplex | null = null;
  ws.on('upgrade', (res) => void (socket = res.socket));
  ws.on('open', () =>
    socket?.on('data', () => {
      if (!ended) handlers.alive();
    }),
  );
  ws.on('unexpected-response', (_req, res) => {
    // A non-101 answer: typically a proxy refusing WebSocket (403/405). The body is not needed.
    res.resume();
    end({ kind: 'http', status: res.statusCode ?? 0, errorCode: null, retryAfter: res.headers['retry-after'] ?? null });
    ws.terminate();
  });
  ws.on('error', (error) => {
    lastError = error;
  });
  ws.on('close', (code, reason) => {
    if (lastError !== null) end({ kind: 'network', error: lastError });
    else end({ kind: 'closed', code, reason: reason.toString('utf8') });
  });

  return {
    kind: 'ws',
    send(text) {
      if (!ended && ws.readyState === WebSocket.OPEN) ws.send(text);
    },
    async close(how) {
      ended = true;
      if (ws.readyState === WebSocket.CLOSED) return;
      if (how === 'graceful' && ws.readyState === WebSocket.OPEN) {
        ws.close(1000, 'client closing');
        const timer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
        await closedPromise;
        clearTimeout(timer);
        return;
      }
      ws.terminate();
      await closedPromise;
    },
  };
}

/**
 * Whether a WebSocket upgrade to the relay gets through right now (the proxy stopped refusing it).
 * Sent without the token on purpose: the relay answers the upgrade, then closes with 4001 before
 * creating a session, so probing never supersedes the long-poll session in use.
 */
export function probeWebSocket(params: { relayUrl: string; deviceId: string; net: NetConfig }): Promise<boolean> {
  const url = relayEndpoint(params.relayUrl, 'ws', '/v1/agent', { device: params.deviceId });
  return new Promise((resolve) => {
    let upgraded = false;
    let settled = false;
    const ws = new WebSocket(url, [PROTOCOL_SUBPROTOCOL], {
      agent: createRelayAgent(params.net, isSecureUrl(url), false),
      perMessageDeflate: false,
      handshakeTimeout: PROBE_TIMEOUT_MS,
    });
    const settle = (ok: boolean) => {
      if (settled) return;
      settled = true;
      resolve(ok);
      ws.terminate();
    };
    ws.on('upgrade', () => {
      upgraded = true;
    });
    ws.on('open', () => settle(true));
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      settle(false);
    });
    ws.on('error', () => settle(upgraded));
    ws.on('close', () => settle(upgraded));
  });
}
