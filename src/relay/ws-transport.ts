// The WebSocket endpoint /v1/agent: negotiates the version, checks the handshake, then bridges frames to an AgentSession.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode, MAX_FRAME_BYTES, SUPPORTED_PROTOCOL_VERSIONS, negotiateSubprotocol, subprotocolOf } from '../shared/protocol';
import { parseHandshake, type SignInAuth } from './agent-handshake';
import type { AuthGuard } from './auth/auth-guard';
import { refuseUpgradeRateLimited, signInAtDoor } from './auth/door-sign-in';
import { requestUrl } from './http-util';
import type { SessionFactory } from './relay-sessions';
import type { Logger } from './log';

const SPOKEN = SUPPORTED_PROTOCOL_VERSIONS.map(subprotocolOf).join(' and ');

export function createAgentSocketServer(deps: {
  auth: SignInAuth;
  sessions: SessionFactory;
  log: Logger;
  guard: AuthGuard;
  /** The client's address for the log, audit and throttle (X-Forwarded-For only from trusted proxies). */
  sourceOf: (req: IncomingMessage) => string;
}) {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    // The newest version we serve among those offered. Otherwise echo the client's first choice so its handshake
    // completes and it can read the 4002 "unsupported version" close (a client whose subprotocol is not echoed sees 1006).
    handleProtocols: (offered) => {
      const version = negotiateSubprotocol(offered);
      return version !== null ? subprotocolOf(version) : ([...offered][0] ?? false);
    },
  });

  async function onConnection(ws: WebSocket, req: IncomingMessage, url: URL, source: string): Promise<void> {
    // Frames that arrive while the token is being checked are kept, not lost.
    const early: string[] = [];
    ws.on('message', (data, isBinary) => {
      if (!isBinary) early.push(data.toString());
    });
    const protocol = negotiateSubprotocol(new Set([ws.protocol]));
    if (protocol === null) {
      ws.close(CloseCode.unsupportedVersion, `this relay speaks ${SPOKEN}`);
      return;
    }
    const handshake = parseHandshake(url, req.headers);
    if (!handshake.ok) {
      if (handshake.error.code === 'unauthorized') await deps.guard.refused(source, 'ws', 'missing');
      ws.close(handshake.error.code === 'unauthorized' ? CloseCode.unauthorized : CloseCode.policyViolation, handshake.error.message.slice(0, 120));
      return;
    }
    const signedIn = await signInAtDoor(deps, handshake.value.token, source, 'ws', handshake.value.deviceId, true);
    if (!signedIn.ok) {
      // Only a locked agent gets here with 429 (a locked source never got its upgrade): 4008 says to wait, not re-sign-in.
      if (signedIn.status === 429) ws.close(CloseCode.rateLimited, `too many refused sign-ins; retry after ${signedIn.retryAfterSeconds} s`);
      else ws.close(CloseCode.unauthorized, 'unknown, revoked or expired credential');
      return;
    }
    const agent = signedIn.agent;
    // Checked and the session created with no await between: two devices connecting at once cannot both slip under the cap.
    const refused = deps.sessions.refusal(agent.id, handshake.value.deviceId, source);
    if (refused !== null) {
      ws.close(CloseCode.rateLimited, refused.message);
      return;
    }
    ws.removeAllListeners('message');
    const session = deps.sessions.create({
      agent,
      deviceId: handshake.value.deviceId,
      since: handshake.value.since,
      transport: {
        send: (text) => ws.send(text),
        bufferedBytes: () => ws.bufferedAmount,
        close: (code, reason) => {
          if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason);
        },
      },
      transportName: 'ws',
      protocol,
      source,
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) session.receive('\u0000binary');
      else session.receive(data.toString());
    });
    ws.on('close', (code) => session.close(code, 'closed by peer'));
    ws.on('error', (error) => deps.log.warn('agent.socket_error', { source, error }));
    await session.start();
    for (const text of early) session.receive(text);
  }

  return {
    /** A locked-out source is answered 429 on the raw socket; a delayed one waits here, before its token is read. */
    async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> {
      const source = deps.sourceOf(req);
      // Node removes its error listener from a socket it hands to 'upgrade', and ws adds one only once it takes the
      // socket: until then (the wait, or the 429 written to a client that already reset) an error must not go uncaught.
      const onError = () => socket.destroy();
      socket.on('error', onError);
      const admission = await deps.guard.admit(source, 'ws');
      if (!admission.ok) {
        refuseUpgradeRateLimited(socket, admission.retryAfterSeconds);
        return;
      }
      socket.off('error', onError);
      if (socket.destroyed) return;
      wss.handleUpgrade(req, socket, head, (ws) => {
        void onConnection(ws, req, url, source).catch((error: unknown) => {
          deps.log.error('agent.connect_failed', { source, error: error instanceof Error ? error : String(error) });
          ws.close(CloseCode.internalError, 'internal error');
        });
      });
    },
    close(): void {
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}

/** Takes the HTTP server's upgrades: through the doors' admission, only `/v1/agent`, handed to the socket server. */
export function routeUpgrades(
  server: Server,
  deps: { admit: (req: IncomingMessage, socket: Duplex) => boolean; sockets: ReturnType<typeof createAgentSocketServer>; log: Logger },
): void {
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!deps.admit(req, socket)) return;
    const url = requestUrl(req);
    if (url.pathname !== '/v1/agent') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    deps.sockets.handleUpgrade(req, socket, head, url).catch((error: unknown) => {
      deps.log.error('agent.upgrade_failed', { error: error instanceof Error ? error : String(error) });
      socket.destroy();
    });
  });
}
