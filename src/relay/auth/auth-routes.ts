// The sign-in routes /v1/auth/*: what a relay accepts, a static agent token or single sign-on exchanged for a device
// session, refresh with rotation, logout. Every credential passes the guard first; every refusal is told to it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { BodyTooLargeError, readBody } from '../../node-shared/http-body';
import type { Clock } from '../../shared/clock';
import { EntityId } from '../../shared/domain';
import { isRetryableByDefault, type AppError, type ErrorCode } from '../../shared/errors';
import { bearerToken, hashAgentToken } from '../agent-tokens';
import { sendError, sendJson } from '../http-util';
import type { Logger } from '../log';
import type { AgentAccess, RelayStore } from '../store/relay-store';
import type { AuthSettings } from './auth-config';
import type { Admission, AuthDoor, AuthGuard, RefusalReason } from './auth-guard';
import type { DeviceSessions, SessionTokens } from './device-sessions';
import { failedCheckOf, isLoopbackRedirect, refusalReasonOf } from './oidc-login';
import type { OidcAgents, OidcLogin } from './oidc-port';

export interface AuthRouteDeps {
  readonly settings: AuthSettings;
  readonly sessions: DeviceSessions;
  readonly store: Pick<RelayStore, 'findAgentByTokenHash' | 'agentAccess'>;
  readonly guard: AuthGuard;
  /** The bank's OpenID provider; null when single sign-on is not configured (its routes answer 404). */
  readonly oidc: { readonly login: OidcLogin; readonly agents: OidcAgents } | null;
  readonly clock: Clock;
  readonly log: Logger;
  readonly sourceOf: (req: IncomingMessage) => string;
}

/** Sign-in bodies are a few ids and tokens. */
const MAX_BODY_BYTES = 8 * 1024;
const Token = z.string().min(1).max(512);
const SessionBody = z.object({ grant: z.literal('agent_token'), token: Token, deviceId: EntityId });
const RefreshBody = z.object({ refreshToken: Token, deviceId: EntityId });
const LogoutBody = z.object({ refreshToken: Token }).partial();
const StartBody = z.object({ redirectUri: z.string().min(1).max(2048), deviceId: EntityId });
const FinishBody = z.object({ state: z.string().min(1).max(512), code: z.string().min(1).max(4096), deviceId: EntityId });

const STATUS: Partial<Record<ErrorCode, number>> = { invalid_input: 400, unauthorized: 401, forbidden: 403, not_found: 404, unavailable: 503 };

export type AuthRoutes = (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<boolean>;

/** The /v1/auth/* routes: each answers its request, or says false when the path is not one of them. */
export function createAuthRoutes(deps: AuthRouteDeps): AuthRoutes {
  // Pending single sign-on logins by state: which device started each (ten minutes, one use).
  return (req, res, pathname) => routeAuth(req, res, pathname, deps);
}

async function routeAuth(req: IncomingMessage, res: ServerResponse, pathname: string, deps: AuthRouteDeps): Promise<boolean> {
  if (!pathname.startsWith('/v1/auth/')) return false;
  const method = req.method ?? 'GET';
  const route = pathname.slice('/v1/auth/'.length);
  if (route === 'config' && method === 'GET') {
    sendJson(res, 200, {
      methods: [...(deps.oidc !== null && deps.settings.oidc !== null ? ['sso'] : []), ...(deps.settings.staticTokens ? ['token'] : [])],
      sso: deps.oidc !== null && deps.settings.oidc !== null ? { issuer: deps.settings.oidc.issuer } : null,
      sessionMinutes: deps.settings.sessionMinutes,
      maxSessionHours: deps.settings.maxSessionHours,
    });
    return true;
  }
  const handler = method === 'POST' ? HANDLERS[route] : undefined;
  if (handler === undefined) return false;
  await handler(new AuthRequest(req, res, deps));
  return true;
}

type Handler = (r: AuthRequest) => Promise<void>;

const HANDLERS: Record<string, Handler> = {
  session: async (r) => {
    if (!(await r.admit('session'))) return;
    const body = await r.body(SessionBody);
    if (body === null) return;
    if (!r.deps.settings.staticTokens) {
      await r.refuse('session', 'static_tokens_off', null, 403, 'forbidden', 'this relay accepts only single sign-on: agent tokens are off');
      return;
    }
    const agent = await r.deps.store.findAgentByTokenHash(hashAgentToken(body.token));
    const access = agent === null ? null : await r.deps.store.agentAccess(agent.id);
    if (access === null || access.revokedAt !== null) return r.refuse('session', 'unknown_or_revoked', null, 401, 'unauthorized', 'unknown or revoked token');
    await r.signIn(access, body.deviceId, 'token', 'session');
  },

  refresh: async (r) => {
    if (!(await r.admit('refresh'))) return;
    const body = await r.body(RefreshBody);
    if (body === null) return;
    const holder = await r.deps.sessions.holder(body.refreshToken);
    if (holder !== null && !(await r.admitAgent(holder, 'refresh'))) return;
    const outcome = await r.deps.sessions.refresh(body.refreshToken, body.deviceId, r.source);
    if (!outcome.ok) return r.refuse('refresh', outcome.reason, outcome.agentId, 401, 'unauthorized', outcome.message);
    const { tokens, retried } = outcome.value;
    // A retry of a refresh whose answer was lost is no theft: logged for IT, not audited as a reuse.
    if (retried) r.deps.log.info('session.refresh_retried', { agentId: tokens.agent.id, device: body.deviceId, source: r.source });
    r.deps.guard.accepted(r.source, tokens.agent.id);
    sendJson(r.res, 200, tokens);
  },

  logout: async (r) => {
    if (!(await r.admit('session'))) return;
    const body = await r.body(LogoutBody);
    if (body === null) return;
    const token = bearerToken(r.req.headers.authorization) ?? body.refreshToken ?? null;
    const ended = token === null ? null : await r.deps.sessions.logout(token, r.source);
    if (ended === null) return r.refuse('session', token === null ? 'missing' : 'unknown_or_revoked', null, 401, 'unauthorized', 'unknown session token');
    r.res.writeHead(204, { 'cache-control': 'no-store' }).end();
  },

  'oidc/start': async (r) => {
    const oidc = r.deps.oidc;
    if (oidc === null) return sendError(r.res, 404, 'not_found', 'single sign-on is not configured on this relay');
    if (!(await r.admit('oidc'))) return;
    const body = await r.body(StartBody);
    if (body === null) return;
    if (!isLoopbackRedirect(body.redirectUri)) {
      return sendError(
        r.res,
        400,
        'invalid_input',
        'redirectUri must be a loopback http URL (http://127.0.0.1:PORT/…, http://[::1]:PORT/… or http://localhost:PORT/…)',
      );
    }
    const started = await oidc.login.start({ redirectUri: body.redirectUri, deviceId: body.deviceId });
    if (!started.ok) return r.fail(started.error);
    sendJson(r.res, 200, started.value);
  },

  'oidc/finish': async (r) => {
    const oidc = r.deps.oidc;
    if (oidc === null) return sendError(r.res, 404, 'not_found', 'single sign-on is not configured on this relay');
    if (!(await r.admit('oidc'))) return;
    const body = await r.body(FinishBody);
    if (body === null) return;
    // The login was started for one device (kept with the pending login): the session is bound to that one.
    const finished = await oidc.login.finish({ state: body.state, code: body.code, deviceId: body.deviceId });
    if (!finished.ok) {
      const reason = finished.error.message.includes('another device') ? 'wrong_device' : refusalReasonOf(finished.error);
      // The provider could not be reached: nothing the agent presented was refused, so nothing counts against them.
      if (reason === null) return r.fail(finished.error);
      const status = STATUS[finished.error.code] ?? 401;
      return r.refuse('oidc', reason, null, status, finished.error.code, finished.error.message, failedCheckOf(finished.error));
    }
    const resolved = await oidc.agents.resolve(finished.value, r.source, r.deps.clock.wallNow());
    if (!resolved.ok) {
      if (refusalReasonOf(resolved.error) === null) return r.fail(resolved.error); // the store's trouble, not a refusal
      return r.refuse('oidc', 'unknown_user', null, STATUS[resolved.error.code] ?? 403, resolved.error.code, resolved.error.message);
    }
    await r.signIn(resolved.value, body.deviceId, 'oidc', 'oidc');
  },
};

/** One request to the auth routes, with its source address: the guard's calls and the error answers in one place. */
class AuthRequest {
  readonly source: string;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly deps: AuthRouteDeps,
  ) {
    this.source = deps.sourceOf(req);
  }

  async admit(door: AuthDoor): Promise<boolean> {
    return this.answer(await this.deps.guard.admit(this.source, door));
  }

  async admitAgent(agentId: string, door: AuthDoor): Promise<boolean> {
    return this.answer(await this.deps.guard.admitAgent(agentId, this.source, door));
  }

  /** The body as JSON of this shape; null once a 400 or 413 has been answered. */
  async body<S extends z.ZodType>(schema: S): Promise<z.output<S> | null> {
    let text: string;
    try {
      text = (await readBody(this.req, MAX_BODY_BYTES)).toString('utf8');
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      this.res.setHeader('connection', 'close');
      sendError(this.res, 413, 'payload_too_large', `a sign-in request is at most ${MAX_BODY_BYTES} bytes`);
      return null;
    }
    let json: unknown;
    try {
      json = text.trim() === '' ? {} : JSON.parse(text);
    } catch {
      sendError(this.res, 400, 'invalid_input', 'the body must be JSON');
      return null;
    }
    const parsed = schema.safeParse(json);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    sendError(this.res, 400, 'invalid_input', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
    return null;
  }

  /** A refused credential: told to the guard (counted, logged with the source, audited), then answered. */
  async refuse(
    door: AuthDoor,
    reason: RefusalReason,
    agentId: string | null,
    status: number,
    code: ErrorCode,
    message: string,
    check: string | null = null,
  ): Promise<void> {
    await this.deps.guard.refused(this.source, door, reason, agentId, check);
    sendError(this.res, status, code, message);
  }

  fail(error: AppError): void {
    sendError(this.res, STATUS[error.code] ?? 500, error.code, error.message);
  }

  /** The agent proved who they are: once the guard admits them, a new device session. */
  async signIn(agent: AgentAccess, deviceId: string, firstFactor: 'token' | 'oidc', door: AuthDoor): Promise<void> {
    if (!(await this.admitAgent(agent.id, door))) return;
    this.deps.guard.accepted(this.source, agent.id);
    const tokens: SessionTokens = await this.deps.sessions.issue(agent, deviceId, firstFactor, this.source);
    this.deps.log.info('auth.signed_in', { agentId: agent.id, method: firstFactor, source: this.source });
    sendJson(this.res, 200, tokens);
  }

  private answer(admission: Admission): boolean {
    if (admission.ok) return true;
    const retryAfter = String(Math.max(1, Math.ceil(admission.retryAfterSeconds)));
    const code: ErrorCode = 'rate_limited';
    sendJson(
      this.res,
      429,
      { error: { code, message: `too many sign-in attempts: try again in ${retryAfter} s`, retryable: isRetryableByDefault(code) } },
      { 'retry-after': retryAfter },
    );
    return false;
  }
}
