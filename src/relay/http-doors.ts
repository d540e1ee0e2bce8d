// Limits at the relay's doors, so one client cannot take the server from the rest: a cap on open connections, a cap per
// client address, and deadlines for headers and bodies (docs/security.md, "Limits at the doors").
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Clock } from '../shared/clock';
import { isRetryableByDefault, type ErrorCode } from '../shared/errors';
import { declaredLength } from '../node-shared/http-body';
import { bodyBudgetMs, type BodyBudgetSettings } from './domain/body-budget';
import { normaliseAddress } from './domain/source-address';
import type { Logger } from './log';

export interface DoorSettings extends BodyBudgetSettings {
  readonly headersTimeoutMs: number;
  readonly connections: number;
  readonly connectionsPerAddress: number;
}

/** How many were turned away, by reason, since the relay started (for /metrics and the log). */
export interface DoorFigures {
  refusedBusy: number;
  refusedPerAddress: number;
  bodyTimeouts: number;
}

/** Why a connection is answered with a refusal at its first request instead of being served. */
type Refusal = 'busy' | 'address';

const REFUSALS: Record<Refusal, { status: number; reason: string; code: ErrorCode; message: string }> = {
  busy: { status: 503, reason: 'Service Unavailable', code: 'unavailable', message: 'the relay is holding as many connections as it may; retry shortly' },
  address: { status: 429, reason: 'Too Many Requests', code: 'rate_limited', message: 'too many connections from this address; close some and retry' },
};
const RETRY_AFTER_SECONDS = 5;
/** How long a connection given its last answer may stay half-closed before it is cut. */
const LINGER_MS = 5_000;

export interface Doors {
  /** Whether a request may go on to its route; when not, it has been answered (429/503) here. */
  admit(req: IncomingMessage, res: ServerResponse, method: string, pathname: string): boolean;
  /** The same for a WebSocket upgrade, answered on the raw socket. */
  admitUpgrade(req: IncomingMessage, socket: Duplex): boolean;
  /** Whether this request was cut off for a late body: its route's failure is then expected, not worth a log line. */
  timedOut(req: IncomingMessage): boolean;
  readonly figures: DoorFigures;
}

/** Options for `createServer`: Node looks for late headers on this interval (30 s by default), so the deadline holds. */
export function doorServerOptions(settings: Pick<DoorSettings, 'headersTimeoutMs'>): { connectionsCheckingInterval: number } {
  return { connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(settings.headersTimeoutMs / 4))) };
}

/**
 * Puts the limits on `server`: counts its connections as they open (by peer address, except a trusted proxy's, whose
 * requests are counted by the client address it forwards), and gives each request's body its route's deadline.
 */
export function guardDoors(
  server: Server,
  deps: {
    settings: DoorSettings;
    clock: Clock;
    log: Logger;
    /** The client's address of a request (X-Forwarded-For only from trusted proxies). */
    sourceOf: (req: IncomingMessage) => string;
    isTrustedProxy: (address: string) => boolean;
  },
): Doors {
  const { settings, clock, log } = deps;
  const figures: DoorFigures = { refusedBusy: 0, refusedPerAddress: 0, bodyTimeouts: 0 };
  let open = 0;
  /** Open connections per direct peer, and requests in flight per client a trusted proxy forwards for. */
  const perAddress = new Map<string, number>();
  const refused = new WeakMap<object, Refusal>();
  const cutOff = new WeakSet<IncomingMessage>();

  const hold = (address: string): (() => void) => {
    perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left <= 0) perAddress.delete(address);
      else perAddress.set(address, left);
    };
  };
  const full = (address: string) => (perAddress.get(address) ?? 0) >= settings.connectionsPerAddress;

  server.headersTimeout = settings.headersTimeoutMs;
  server.requestTimeout = 0; // bodies get their route's deadline below; the long-poll wait and WebSockets get none
  // A hard ceiling past the answered cap: beyond it the kernel's connections are dropped unanswered, not parsed.
  server.maxConnections = settings.connections * 2;

  // Node's own answers to late or malformed headers, in the protocol's error shape (its default has no body).
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const late = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    const answer = late
      ? rawAnswer(408, 'Request Timeout', 'timeout', `the request headers did not arrive within ${Math.ceil(settings.headersTimeoutMs / 1000)} s`)
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? rawAnswer(431, 'Request Header Fields Too Large', 'invalid_input', 'the request headers are too large')
        : rawAnswer(400, 'Bad Request', 'invalid_input', 'the request is not valid HTTP/1.1');
    hangUp(socket, answer);
  });

  server.on('connection', (socket) => {
    open += 1;
    const peer = normaliseAddress(socket.remoteAddress ?? '') || 'unknown';
    const proxied = deps.isTrustedProxy(peer);
    if (open > settings.connections) refused.set(socket, 'busy');
    else if (!proxied && full(peer)) refused.set(socket, 'address');
    const release = proxied || refused.has(socket) ? () => {} : hold(peer);
    socket.once('close', () => {
      open -= 1;
      release();
    });
  });

  /** The refusal for this request, if any: its connection's, or its forwarded client's when that one is at its cap. */
  function refusalFor(req: IncomingMessage): { refusal: Refusal | null; release: () => void } {
    const onConnection = refused.get(req.socket);
    if (onConnection !== undefined) return { refusal: onConnection, release: () => {} };
    const peer = normaliseAddress(req.socket.remoteAddress ?? '') || 'unknown';
    if (!deps.isTrustedProxy(peer)) return { refusal: null, release: () => {} };
    const client = deps.sourceOf(req);
    if (full(client)) return { refusal: 'address', release: () => {} };
    return { refusal: null, release: hold(client) };
  }

  function count(refusal: Refusal, req: IncomingMessage): void {
    if (refusal === 'busy') figures.refusedBusy += 1;
    else figures.refusedPerAddress += 1;
    log.debug('http.refused', { reason: refusal, source: deps.sourceOf(req) });
  }

  /**
   * Writes a last answer and half-closes, written on the socket itself: through Node's response the connection would be
   * destroyed as soon as the answer is flushed, and a reset can discard the answer at a client that is still sending.
   * Half-closed, the client reads it and hangs up; one that does not is cut after LINGER_MS.
   */
  function hangUp(socket: Duplex, answer: string): void {
    // Node no longer listens for errors on a socket it handed to 'upgrade': a client that resets must not crash us.
    socket.on('error', () => socket.destroy());
    socket.end(answer);
    const cancel = clock.setTimer(LINGER_MS, () => socket.destroy());
    socket.once('close', cancel);
  }

  /** Answers 408 to a request whose body is late, then ends its connection, which a dripping client would keep. */
  function startBodyDeadline(req: IncomingMessage, res: ServerResponse, budgetMs: number): void {
    const cancel = clock.setTimer(budgetMs, () => {
      if (req.complete || res.writableEnded) return;
      cutOff.add(req);
      figures.bodyTimeouts += 1;
      log.info('http.body_timeout', { path: (req.url ?? '').split('?')[0]!.slice(0, 100), source: deps.sourceOf(req), budgetMs });
      if (res.headersSent) req.socket.destroy();
      else hangUp(req.socket, rawAnswer(408, 'Request Timeout', 'timeout', `the request body did not arrive within ${Math.ceil(budgetMs / 1000)} s`));
    });
    res.once('close', cancel);
  }

  return {
    figures,
    admit(req, res, method, pathname) {
      const { refusal, release } = refusalFor(req);
      if (refusal !== null) {
        count(refusal, req);
        const { status, reason, code, message } = REFUSALS[refusal];
        req.resume();
        hangUp(req.socket, rawAnswer(status, reason, code, message, { 'Retry-After': String(RETRY_AFTER_SECONDS) }));
        return false;
      }
      res.once('close', release);
      const budget = bodyBudgetMs(method, pathname, declaredLength(req.headers), settings);
      if (budget !== null) startBodyDeadline(req, res, budget);
      return true;
    },
    admitUpgrade(req, socket) {
      const { refusal, release } = refusalFor(req);
      if (refusal === null) {
        socket.once('close', release);
        return true;
      }
      count(refusal, req);
      const { status, reason, code, message } = REFUSALS[refusal];
      hangUp(socket, rawAnswer(status, reason, code, message, { 'Retry-After': String(RETRY_AFTER_SECONDS) }));
      return false;
    },
    timedOut: (req) => cutOff.has(req),
  };
}

/** A whole HTTP answer in the protocol's error shape (the headers `sendJson` gives), saying the connection closes. */
function rawAnswer(status: number, reason: string, code: ErrorCode, message: string, headers: Record<string, string> = {}): string {
  const body = JSON.stringify({ error: { code, message, retryable: isRetryableByDefault(code) } });
  const lines = Object.entries({
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
    'Content-Length': String(Buffer.byteLength(body)),
  });
  return `HTTP/1.1 ${status} ${reason}\r\n${lines.map(([name, value]) => `${name}: ${value}\r\n`).join('')}Connection: close\r\n\r\n${body}`;
}
