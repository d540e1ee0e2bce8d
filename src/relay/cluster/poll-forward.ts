// Long polls without sticky routing: a GET or POST for a poll session homed on another relay instance is passed on to
// that instance as it came, streamed both ways; when that home is gone the console hears what a restarting relay says.
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { CloseCode, LONG_POLL_HOLD_MS } from '../../shared/protocol';
import { fail, ok, type Result } from '../../shared/errors';
import type { Clock } from '../../shared/clock';
import type { SignInAuth } from '../agent-handshake';
import { bearerToken } from '../agent-tokens';
import type { AuthGuard } from '../auth/auth-guard';
import { sendRateLimited, signInAtDoor } from '../auth/door-sign-in';
import { routePoll } from '../domain/poll-home';
import { refuseRest, sendError, sendJson } from '../http-util';
import type { Logger } from '../log';
import { FORWARD_HEADER, vouchFor } from './forwarded-source';
import type { InstanceRegistry, Peer } from './instance-registry';

/** A live instance on the same network accepts a connection in milliseconds; one that does not is taken for gone. */
const CONNECT_TIMEOUT_MS = 3_000;
/** A home answers a receive within the hold time; silence well past it is a machine gone without a reset. */
const SILENT_HOME_MS = LONG_POLL_HOLD_MS + 10_000;

/** Headers about one hop, not about the request: never passed on (RFC 9110, section 7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host']);

function endToEnd(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const named = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase()),
  );
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP_BY_HOP.has(name) && !named.has(name)) out[name] = value;
  return out;
}

export interface PollForwarder {
  /** True when the request was answered here (passed on, or its home is gone); false: the session is this instance's. */
  handle(req: IncomingMessage, res: ServerResponse, sessionId: string): Promise<boolean>;
}

export function createPollForwarder(deps: {
  registry: Pick<InstanceRegistry, 'id' | 'peer'>;
  auth: SignInAuth;
  guard: AuthGuard;
  /** The console's address as this instance sees it (trusted proxies applied). */
  sourceOf: (req: IncomingMessage) => string;
  clock: Clock;
  log: Logger;
  connectTimeoutMs?: number;
}): PollForwarder {
  const connectTimeoutMs = deps.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;

  /**
   * Passes the request on; `unavailable` when the home cannot be reached or broke before answering, after which the
   * caller answers for it. Once the home answers, its status, headers and body are the console's.
   */
  function forward(req: IncomingMessage, res: ServerResponse, peer: Peer): Promise<Result<void>> {
    const target = req.url ?? '/';
    const method = req.method ?? 'GET';
    const headers = endToEnd(req.headers);
    headers[FORWARD_HEADER] = vouchFor(peer.forwardKey, { from: deps.registry.id, source: deps.sourceOf(req), at: deps.clock.wallNow(), method, target });
    const url = new URL(target, peer.url);
    return new Promise((resolve) => {
      const upstream = (url.protocol === 'https:' ? https : http).request(url, { method, headers, agent: false });
      let answered = false;
      const timer = setTimeout(() => upstream.destroy(new Error('connect timed out')), connectTimeoutMs);
      upstream.setTimeout(SILENT_HOME_MS, () => upstream.destroy(new Error('the home went silent')));
      upstream.once('socket', (socket) => socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => clearTimeout(timer)));
      upstream.once('response', (answer) => {
        answered = true;
        clearTimeout(timer);
        res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
        answer.pipe(res);
        answer.once('error', () => res.destroy());
        resolve(ok(undefined));
      });
      let consoleGone = false;
      upstream.once('error', (error) => {
        clearTimeout(timer);
        if (answered || consoleGone) {
          res.destroy();
          resolve(ok(undefined)); // nobody left to answer
        } else {
          resolve(fail('unavailable', error.message));
        }
      });
      // The console gave up (or its GET was replaced): so does the held request at the home.
      res.once('close', () => {
        if (res.writableFinished) return;
        consoleGone = true;
        upstream.destroy();
      });
      req.pipe(upstream);
    });
  }

  /** What a console hears from a relay that restarted under it, once its token passes the door as on the home. */
  async function answerGone(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const signedIn = await signInAtDoor(deps, bearerToken(req.headers.authorization), deps.sourceOf(req), 'poll', null);
    if (req.method === 'POST') refuseRest(req, res);
    if (!signedIn.ok) {
      if (signedIn.status === 429) sendRateLimited(res, signedIn.retryAfterSeconds);
      else sendError(res, 401, 'unauthorized', 'unknown or revoked token');
      return;
    }
    if (req.method === 'GET') sendJson(res, 200, { closed: { code: CloseCode.relayRestarting, reason: 'relay restarting' } });
    else sendError(res, 404, 'not_found', 'no such poll session; open a new one');
  }

  /** The live home of a session, null when it is gone; undefined when the registry cannot be read now. */
  async function homeOf(home: string): Promise<Peer | null | undefined> {
    try {
      return await deps.registry.peer(home);
    } catch (error) {
      deps.log.warn('poll.registry_unreadable', { error: error instanceof Error ? error : String(error) });
      return undefined;
    }
  }

  return {
    async handle(req, res, sessionId) {
      const route = routePoll(sessionId, deps.registry.id, req.headers[FORWARD_HEADER] !== undefined);
      if (route.kind === 'here') return false;
      if (route.kind === 'gone') {
        // Passed on once already, to an address whose instance is not the home any more (restarted there, say).
        deps.log.info('poll.home_replaced', { homeId: route.home });
        await answerGone(req, res);
        return true;
      }
      const peer = await homeOf(route.home);
      if (peer === undefined) {
        // The home may well be alive: the console retries after its backoff rather than reopening.
        if (req.method === 'POST') refuseRest(req, res);
        sendError(res, 503, 'unavailable', 'the relay cannot tell where this session lives right now; try again');
        return true;
      }
      if (peer !== null) {
        const passed = await forward(req, res, peer);
        if (passed.ok) return true;
        deps.log.info('poll.home_unreachable', { homeId: route.home, reason: passed.error.message });
      } else {
        deps.log.info('poll.home_gone', { homeId: route.home });
      }
      await answerGone(req, res);
      return true;
    },
  };
}
