// The relay's device-session endpoints (/v1/auth/…, docs/protocol.md): sign-in, refresh, logout and single sign-on,
// over the same network stack as media (proxy, CA, TLS pins) and refused to plain relays like the socket is.
import type http from 'node:http';
import { z } from 'zod';
import { appError, type AppError, type Result } from '../../shared/errors';
import { WireError } from '../../shared/protocol';
import { networkFailure } from './domain/link-failure';
import { refusedPlainRelayHost } from './domain/relay-transport-rule';
import { exchange, relayHttpUrl, type Answer } from './relay-media-client';

/** The relay's answer to every sign-in and refresh, plus how long the access token lives by the relay's own clock. */
export const AuthTokens = z.object({
  accessToken: z.string().min(8).max(1024),
  accessExpiresAt: z.number().int(),
  refreshToken: z.string().min(8).max(1024),
  sessionExpiresAt: z.number().int(),
  agent: z.object({ id: z.string().min(1).max(128), name: z.string().max(200), role: z.string().max(64).optional(), teams: z.array(z.string()).optional() }),
});
export type AuthTokens = z.infer<typeof AuthTokens> & { accessLifetimeMs: number };

export const AuthConfig = z.object({
  methods: z.array(z.string()),
  sso: z.object({ issuer: z.string() }).nullable().optional(),
  sessionMinutes: z.number().optional(),
  maxSessionHours: z.number().optional(),
});
export type AuthConfig = z.infer<typeof AuthConfig>;

const SsoStarted = z.object({ authorizationUrl: z.string().url(), state: z.string().min(1).max(512) });
export type SsoStarted = z.infer<typeof SsoStarted>;

/**
 * The calls; a relay from before device sessions answers `not_found` to config and session (the caller then uses the
 * agent token the old way). Errors carry the relay's code (`unauthorized`, `forbidden`, `rate_limited` …).
 */
export interface AuthClient {
  config(relayUrl: string): Promise<Result<AuthConfig>>;
  signIn(relayUrl: string, token: string, deviceId: string): Promise<Result<AuthTokens>>;
  refresh(relayUrl: string, refreshToken: string, deviceId: string): Promise<Result<AuthTokens>>;
  logout(relayUrl: string, credential: { accessToken?: string; refreshToken?: string }): Promise<Result<null>>;
  ssoStart(relayUrl: string, redirectUri: string, deviceId: string): Promise<Result<SsoStarted>>;
  ssoFinish(relayUrl: string, answer: { state: string; code: string }, deviceId: string): Promise<Result<AuthTokens>>;
}

export interface AuthClientOptions {
  /** The proxy tunnel, extra CA and pins for this URL (the NetSource's agent), or undefined for a direct connection. */
  agent?: (url: URL) => Promise<http.Agent | undefined>;
  /** Machine policy relay.allowInsecure: a credential may go to a plain http:// relay on another computer. */
  allowInsecure?: boolean;
  /** Deadline of one call (default 15 s). */
  timeoutMs?: number;
}

const ErrorAnswer = z.object({ error: WireError });

/** A refusal; a throttled one (429) says how long the relay asked to wait, so a refresh is not tried sooner. */
export type AuthError = AppError & { retryAfterMs?: number };

function errorOf(answer: Answer): AuthError {
  const retryAfter = Number(answer.headers['retry-after']);
  const waited = answer.status === 429 ? { retryAfterMs: (Number.isFinite(retryAfter) ? Math.max(0, retryAfter) : 5) * 1000 } : {};
  try {
    const parsed = ErrorAnswer.safeParse(JSON.parse(answer.body.toString('utf8')));
    if (parsed.success) {
      const { code, message, retryable } = parsed.data.error;
      const wait = answer.status === 429 && Number.isFinite(retryAfter) ? ` (try again in ${retryAfter} s)` : '';
      return { ...appError(code, `${message}${wait}`.slice(0, 300), retryable), ...waited };
    }
  } catch {
    // not the relay's JSON (a proxy's page): named by its status below
  }
  if (answer.status === 404) return appError('not_found', 'the relay has no such endpoint', false);
  if (answer.status === 401) return appError('unauthorized', 'the relay refused the credential', false);
  if (answer.status === 429) return { ...appError('rate_limited', 'the relay asks to slow down', true), ...waited };
  // Any other status without the relay's JSON comes from something in between (a proxy's 400 or 403 page): the session
  // may still be good, so it reads as "not reachable now", never as a refusal that would end it.
  return appError('unavailable', `the relay answered HTTP ${answer.status} (not the relay's own answer)`, true);
}

export function createRelayAuthClient(options: AuthClientOptions = {}): AuthClient {
  const timeoutMs = options.timeoutMs ?? 15_000;

  async function call(relayUrl: string, method: 'GET' | 'POST', endpoint: string, body: unknown, bearer?: string): Promise<Result<Answer>> {
    const plainHost = refusedPlainRelayHost(relayUrl, options.allowInsecure === true);
    if (plainHost !== null) return { ok: false, error: appError('forbidden', `${plainHost} is not an encrypted address; nothing was sent to it`, false) };
    const url = relayHttpUrl(relayUrl, endpoint);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (payload !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(payload.length) });
    if (bearer !== undefined) headers['authorization'] = `Bearer ${bearer}`;
    try {
      const agent = await options.agent?.(url);
      const answer = await exchange(url, { method, headers, ...(payload !== undefined && { body: payload }), agent, timeoutMs, maxBytes: 64 * 1024 });
      return { ok: true, value: answer };
    } catch (error) {
      // The socket's error code only (ECONNREFUSED, a TLS code): never the request, which carries a credential.
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      // A certificate problem (an untrusted inspection root, a pin mismatch) is not "offline", as on the socket.
      const { tls, detail } = networkFailure(error);
      const expected = detail.params['expected'];
      const message =
        detail.code === 'tls_pin_mismatch' && expected !== undefined
          ? `the relay does not present a certificate IT pinned (pin-sha256 ${String(expected)})`
          : `the relay could not be reached (${String(code).slice(0, 64)})`;
      return { ok: false, error: appError(tls ? 'tls_failure' : 'unavailable', message, !tls) };
    }
  }

  async function json<T>(
    relayUrl: string,
    endpoint: string,
    body: unknown,
    schema: z.ZodType<T>,
    okStatus = 200,
  ): Promise<Result<{ value: T; answer: Answer }>> {
    const sent = await call(relayUrl, body === undefined ? 'GET' : 'POST', endpoint, body);
    if (!sent.ok) return sent;
    const answer = sent.value;
    if (answer.status !== okStatus) return { ok: false, error: errorOf(answer) };
    let parsed;
    try {
      parsed = schema.safeParse(JSON.parse(answer.body.toString('utf8')));
    } catch {
      parsed = null;
    }
    if (parsed === null || !parsed.success)
      return { ok: false, error: appError('unavailable', `the relay answered ${endpoint} with something unexpected`, true) };
    return { ok: true, value: { value: parsed.data, answer } };
  }

  async function tokens(relayUrl: string, endpoint: string, body: unknown): Promise<Result<AuthTokens>> {
    const result = await json(relayUrl, endpoint, body, AuthTokens);
    if (!result.ok) return result;
    const { value, answer } = result.value;
    // Lifetimes by the relay's clock (its Date header), so a console whose clock is off still refreshes in time.
    const relayNow = Date.parse(answer.headers['date'] ?? '');
    const lifetime = value.accessExpiresAt - (Number.isFinite(relayNow) ? relayNow : Date.now());
    return { ok: true, value: { ...value, accessLifetimeMs: Math.max(0, lifetime) } };
  }

  return {
    async config(relayUrl) {
      const result = await json(relayUrl, '/v1/auth/config', undefined, AuthConfig);
      return result.ok ? { ok: true, value: result.value.value } : result;
    },
    signIn: (relayUrl, token, deviceId) => tokens(relayUrl, '/v1/auth/session', { grant: 'agent_token', token, deviceId }),
    refresh: (relayUrl, refreshToken, deviceId) => tokens(relayUrl, '/v1/auth/refresh', { refreshToken, deviceId }),
    ssoFinish: (relayUrl, { state, code }, deviceId) => tokens(relayUrl, '/v1/auth/oidc/finish', { state, code, deviceId }),
    async ssoStart(relayUrl, redirectUri, deviceId) {
      const result = await json(relayUrl, '/v1/auth/oidc/start', { redirectUri, deviceId }, SsoStarted);
      return result.ok ? { ok: true, value: result.value.value } : result;
    },
    async logout(relayUrl, credential) {
      const body = credential.accessToken === undefined ? { refreshToken: credential.refreshToken } : {};
      const sent = await call(relayUrl, 'POST', '/v1/auth/logout', body, credential.accessToken);
      if (!sent.ok) return sent;
      return sent.value.status === 204 || sent.value.status === 200 ? { ok: true, value: null } : { ok: false, error: errorOf(sent.value) };
    },
  };
}

/** A relay from before device sessions: no /v1/auth at all (what a scripted link in tests stands for). */
export function legacyAuthClient(): AuthClient {
  const none = async () => ({ ok: false as const, error: appError('not_found', 'the relay has no such endpoint', false) });
  return { config: none, signIn: none, refresh: none, logout: none, ssoStart: none, ssoFinish: none };
}
