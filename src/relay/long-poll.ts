// HTTP long polling: the same frames as the WebSocket, for networks whose proxy refuses upgrades.
//   POST /v1/poll?v=2&device=…&since=…  opens a session (v: 2 or 1; absent is 1) → {"sessionId": "…"}
//   GET  /v1/poll/{sessionId}          waits for relay frames → {"frames": [...]} or {"closed": {code, reason}}
//   POST /v1/poll/{sessionId}          client frames          ← {"frames": [...]}
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Clock } from '../shared/clock';
import { CloseCode, LONG_POLL_HOLD_MS, MAX_FRAME_BYTES, SUPPORTED_PROTOCOL_VERSIONS, pollProtocolVersion } from '../shared/protocol';
import { parseHandshake, type SignInAuth } from './agent-handshake';
import type { AuthGuard } from './auth/auth-guard';
import { sendRateLimited, signInAtDoor } from './auth/door-sign-in';
import { bearerToken, hashAgentToken } from './agent-tokens';
import { BodyTooLargeError, readBody } from '../node-shared/http-body';
import { secretsEqual } from '../node-shared/secret-compare';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../shared/json-depth';
import { refuseRest, sendError, sendJson } from './http-util';
import type { Logger } from './log';
import { PollSessions, PollTransport, type PollEntry, type PollLimits } from './poll-sessions';
import type { SessionFactory } from './relay-sessions';
import { DEVICE_CAP_RETRY_SECONDS, sendLimited } from './agent-limits';

const MAX_FRAMES_PER_POST = 64;
const PollPost = z.looseObject({ frames: z.array(z.unknown()).max(MAX_FRAMES_PER_POST) });

export function createLongPoll(deps: {
  auth: SignInAuth;
  sessions: SessionFactory;
  clock: Clock;
  log: Logger;
  guard: AuthGuard;
  /** The client's address for the log, audit and throttle (X-Forwarded-For only from trusted proxies). */
  sourceOf: (req: IncomingMessage) => string;
  holdMs?: number;
  limits: PollLimits;
}) {
  const entries = new PollSessions({ clock: deps.clock, log: deps.log, limits: deps.limits });
  const holdMs = deps.holdMs ?? LONG_POLL_HOLD_MS;

  /**
   * The session, if the caller's token belongs to the agent who opened it: a session id alone grants nothing. A POST's
   * body is not read when refused: `hasBody` makes the refusal close the connection, said before the answer is written.
   */
  async function entryFor(req: IncomingMessage, res: ServerResponse, sessionId: string, hasBody = false): Promise<PollEntry | null> {
    const refuse = (status: number, code: 'unauthorized' | 'not_found' | 'forbidden', message: string): null => {
      if (hasBody) refuseRest(req, res);
      sendError(res, status, code, message);
      return null;
    };
    const token = bearerToken(req.headers.authorization);
    const entry = entries.get(sessionId);
    // The token that opened the session may always hear how it ended: a revoked agent's poll gets its 4001 (the hub
    // closes the session within a second of the revocation), not a bare 401.
    if (entry !== undefined && token !== null && secretsEqual(hashAgentToken(token), entry.tokenHash)) return entry;
    const signedIn = await signInAtDoor(deps, token, deps.sourceOf(req), 'poll', entry?.session.deviceId ?? null);
    if (!signedIn.ok) {
      if (signedIn.status !== 429) return refuse(401, 'unauthorized', 'unknown or revoked token');
      if (hasBody) refuseRest(req, res);
      sendRateLimited(res, signedIn.retryAfterSeconds);
      return null;
    }
    const agent = signedIn.agent;
    if (entry === undefined) return refuse(404, 'not_found', 'no such poll session; open a new one');
    if (entry.agentId !== agent.id) {
      deps.log.warn('poll.session_mismatch', { agentId: agent.id, source: deps.sourceOf(req) });
      return refuse(403, 'forbidden', 'this session belongs to another agent');
    }
    return entry;
  }

  return {
    async open(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
      const protocol = pollProtocolVersion(url.searchParams.get('v'));
      if (protocol === null) {
        sendError(res, 400, 'unsupported_version', `this relay speaks protocol ${SUPPORTED_PROTOCOL_VERSIONS.join(' and ')}`);
        return;
      }
      const source = deps.sourceOf(req);
      const handshake = parseHandshake(url, req.headers);
      if (!handshake.ok) {
        if (handshake.error.code === 'unauthorized') {
          // A missing token counts against the source like a wrong one, and a locked source hears 429 all the same.
          const admission = await deps.guard.admit(source, 'poll');
          if (!admission.ok) return sendRateLimited(res, admission.retryAfterSeconds);
          await deps.guard.refused(source, 'poll', 'missing');
        }
        sendError(res, handshake.error.code === 'unauthorized' ? 401 : 400, handshake.error.code, handshake.error.message);
        return;
      }
      const signedIn = await signInAtDoor(deps, handshake.value.token, source, 'poll', handshake.value.deviceId);
      if (!signedIn.ok) {
        if (signedIn.status === 429) sendRateLimited(res, signedIn.retryAfterSeconds);
        else sendError(res, 401, 'unauthorized', 'unknown or revoked token');
        return;
      }
      const agent = signedIn.agent;
      const refused = deps.sessions.refusal(agent.id, handshake.value.deviceId, source);
      if (refused !== null) return sendLimited(res, refused, DEVICE_CAP_RETRY_SECONDS);
      const transport = new PollTransport();
      const session = deps.sessions.create({
        agent,
        deviceId: handshake.value.deviceId,
        since: handshake.value.since,
        transport,
        transportName: 'poll',
        protocol,
        source,
      });
      entries.add(session, transport, agent.id, hashAgentToken(handshake.value.token));
      await session.start();
      sendJson(res, 200, { sessionId: session.sessionId });
    },

    async receive(req: IncomingMessage, res: ServerResponse, sessionId: string): Promise<void> {
      const entry = await entryFor(req, res, sessionId);
      if (entry === null) return;
      entry.session.touch();
      const collected = entries.collecting(entry);
      await entry.transport.wait(deps.clock, holdMs).finally(collected);
      entry.session.touch();
      const frames = entry.transport.take();
      if (frames.length === 0 && entry.transport.closed !== null) {
        entries.forget(sessionId);
        sendJson(res, 200, { closed: entry.transport.closed });
        return;
      }
      if (res.headersSent || res.destroyed) return;
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(`{"frames":[${frames.join(',')}]}`);
      // Frames handed over: their session may now pump more.
      entry.session.notify();
    },

    async send(req: IncomingMessage, res: ServerResponse, sessionId: string): Promise<void> {
      const entry = await entryFor(req, res, sessionId, true);
      if (entry === null) return;
      let body: Buffer;
      try {
        body = await readBody(req, MAX_FRAME_BYTES * 4);
      } catch (error) {
        if (!(error instanceof BodyTooLargeError)) throw error;
        refuseRest(req, res);
        sendError(res, 413, 'payload_too_large', error.message);
        return;
      }
      const text = body.toString('utf8');
      // Refused before parsing: re-serialising a frame nested thousands deep for its session would overflow the stack.
      if (nestsDeeperThan(text, MAX_JSON_DEPTH + 2)) {
        sendError(res, 400, 'invalid_input', `frames nest deeper than ${MAX_JSON_DEPTH} levels`);
        return;
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        sendError(res, 400, 'invalid_input', 'body must be {"frames": [...]}');
        return;
      }
      const post = PollPost.safeParse(json);
      if (!post.success) {
        sendError(res, 400, 'invalid_input', `body must be {"frames": [...]} with at most ${MAX_FRAMES_PER_POST} frames`);
        return;
      }
      // Each frame is checked by the session, exactly as a WebSocket text frame would be.
      for (const frame of post.data.frames) entry.session.receive(JSON.stringify(frame));
      res.writeHead(204).end();
    },

    closeAll(): void {
      entries.closeAll(CloseCode.relayRestarting, 'relay restarting');
    },

    /** Poll sessions held now, abandoned ones included until their bound passes. */
    get size(): number {
      return entries.size;
    },
  };
}
