// A contract-faithful stand-in for the relay's /v1/auth routes (docs/protocol.md, "Signing in: device sessions") and a
// one-click OpenID provider, on 127.0.0.1: sessions with rotating refresh tokens, reuse revoking the family, SSO with
// a pending login per state. Tests of the console core run against it until the real relay is merged.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeAgent {
  id: string;
  name: string;
  role: string;
  teams: string[];
}

interface Family {
  agent: FakeAgent;
  deviceId: string;
  revoked: boolean;
  expiresAt: number;
}

const secret = (prefix: string) => `${prefix}${randomBytes(24).toString('base64url')}`;
const LOOPBACK = /^http:\/\/(127\.0\.0\.1|\[::1\]|localhost):\d+\//;

export class FakeAuthRelay {
  /** Static agent tokens this relay knows. */
  readonly agents = new Map<string, FakeAgent>();
  /** Identities the provider signs in, by the name the test picks: an agent, or someone with no agent record. */
  readonly identities = new Map<string, FakeAgent | null>();
  /** Who the provider's page signs in next (the test plays the person at the keyboard). */
  identity = 'ana';
  /** The redirect URI of the latest oidc/start (where the provider sends the browser back). */
  lastRedirectUri: string | null = null;
  /** A relay from before device sessions: every /v1/auth route is unknown. */
  legacy = false;
  staticTokens = true;
  sso = true;
  accessMs = 15 * 60_000;
  maxSessionMs = 12 * 3_600_000;
  /** Method and path of every request, in order (never a body: bodies hold credentials). */
  readonly requests: string[] = [];
  /** What the relay would audit. */
  readonly audit: string[] = [];

  private readonly families = new Map<string, Family>();
  private readonly access = new Map<string, { family: string; expiresAt: number }>();
  private readonly refresh = new Map<string, { family: string; spent: boolean }>();
  private readonly pending = new Map<string, { redirectUri: string; deviceId: string; at: number; used: boolean; code: string | null }>();
  private readonly server = createServer((req, res) => void this.route(req, res).catch(() => send(res, 500, error('internal', 'fake failed'))));

  /** `port`: a relay coming back where it was (0: a free one). */
  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The agent an access token belongs to while its session lives, else null (what the socket's hello checks). */
  agentOfAccess(token: string): FakeAgent | null {
    const entry = this.access.get(token);
    const family = entry === undefined ? undefined : this.families.get(entry.family);
    if (entry === undefined || family === undefined || family.revoked || entry.expiresAt <= Date.now() || family.expiresAt <= Date.now()) return null;
    return family.agent;
  }

  /** Every access token issued so far ends now (as if the clock passed their expiry). */
  expireAccessTokens(): void {
    for (const entry of this.access.values()) entry.expiresAt = 0;
  }

  /** The agent's sessions are revoked (an agent revoked by IT). */
  revokeAgent(agentId: string): void {
    for (const family of this.families.values()) if (family.agent.id === agentId) family.revoked = true;
  }

  liveSessions(): number {
    return [...this.families.values()].filter((f) => !f.revoked).length;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    this.requests.push(`${req.method} ${url.pathname}`);
    if (url.pathname === '/idp/authorize') return this.authorize(url, res);
    if (this.legacy || !url.pathname.startsWith('/v1/auth/')) return send(res, 404, error('not_found', `no route for ${req.method} ${url.pathname}`));
    const body = req.method === 'POST' ? await readJson(req) : {};
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'GET /v1/auth/config':
        return send(res, 200, {
          methods: [...(this.sso ? ['sso'] : []), ...(this.staticTokens ? ['token'] : [])],
          sso: this.sso ? { issuer: `${this.url}/idp` } : null,
          sessionMinutes: this.accessMs / 60_000,
          maxSessionHours: this.maxSessionMs / 3_600_000,
        });
      case 'POST /v1/auth/session': {
        if (!this.staticTokens) return send(res, 403, error('forbidden', 'static tokens are off on this relay'));
        const agent = this.agents.get(String(body['token']));
        if (body['grant'] !== 'agent_token' || agent === undefined) return this.refuse(res, 'bad_token');
        return send(res, 200, this.issue(agent, String(body['deviceId'])));
      }
      case 'POST /v1/auth/refresh':
        return this.rotate(res, String(body['refreshToken']), String(body['deviceId']));
      case 'POST /v1/auth/logout': {
        const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        const family = bearer !== undefined ? this.access.get(bearer)?.family : this.refresh.get(String(body['refreshToken']))?.family;
        if (family === undefined) return this.refuse(res, 'bad_token');
        this.families.get(family)!.revoked = true;
        this.audit.push('session.logout');
        res.writeHead(204).end();
        return;
      }
      case 'POST /v1/auth/oidc/start': {
        if (!this.sso) return send(res, 404, error('not_found', 'single sign-on is not configured'));
        const redirectUri = String(body['redirectUri']);
        if (!LOOPBACK.test(redirectUri)) return send(res, 400, error('invalid_input', 'the redirect is not a loopback http URL'));
        const state = secret('st_');
        this.lastRedirectUri = redirectUri;
        this.pending.set(state, { redirectUri, deviceId: String(body['deviceId']), at: Date.now(), used: false, code: null });
        return send(res, 200, { authorizationUrl: `${this.url}/idp/authorize?state=${state}`, state });
      }
      case 'POST /v1/auth/oidc/finish': {
        const login = this.pending.get(String(body['state']));
        if (login === undefined || login.used || Date.now() - login.at > 10 * 60_000) return this.refuse(res, 'unknown_state');
        login.used = true;
        if (login.code === null || login.code !== body['code']) return this.refuse(res, 'bad_code');
        const agent = this.identities.get(this.identity) ?? null;
        if (agent === null) {
          this.audit.push('auth.refused:not_an_agent');
          return send(res, 403, error('forbidden', 'this identity is not a Branchline agent'));
        }
        return send(res, 200, this.issue(agent, login.deviceId));
      }
      default:
        return send(res, 404, error('not_found', `no route for ${route}`));
    }
  }

  /** The provider's page, signed in at once as `identity`: back to the loopback redirect with a code and the state. */
  private authorize(url: URL, res: ServerResponse): void {
    const state = url.searchParams.get('state') ?? '';
    const login = this.pending.get(state);
    if (login === undefined) return send(res, 400, error('invalid_input', 'unknown state'));
    login.code = secret('code_');
    const target = new URL(login.redirectUri);
    target.searchParams.set('code', login.code);
    target.searchParams.set('state', state);
    res.writeHead(302, { location: target.href }).end();
  }

  private rotate(res: ServerResponse, refreshToken: string, deviceId: string): void {
    const entry = this.refresh.get(refreshToken);
    const family = entry === undefined ? undefined : this.families.get(entry.family);
    if (entry === undefined || family === undefined) return this.refuse(res, 'unknown_refresh');
    if (entry.spent) {
      family.revoked = true;
      this.audit.push('session.refresh_reused');
      return this.refuse(res, 'refresh_reused');
    }
    if (family.revoked || family.expiresAt <= Date.now() || family.deviceId !== deviceId) return this.refuse(res, 'session_ended');
    entry.spent = true;
    send(res, 200, this.tokens(entry.family));
  }

  private issue(agent: FakeAgent, deviceId: string): object {
    const family = secret('fam_');
    this.families.set(family, { agent, deviceId, revoked: false, expiresAt: Date.now() + this.maxSessionMs });
    this.audit.push(`auth.sign_in:${agent.id}`);
    return this.tokens(family);
  }

  private tokens(family: string): object {
    const accessToken = secret('bla_');
    const refreshToken = secret('blr_');
    const accessExpiresAt = Date.now() + this.accessMs;
    this.access.set(accessToken, { family, expiresAt: accessExpiresAt });
    this.refresh.set(refreshToken, { family, spent: false });
    const { agent, expiresAt } = this.families.get(family)!;
    return { accessToken, accessExpiresAt, refreshToken, sessionExpiresAt: expiresAt, agent };
  }

  private refuse(res: ServerResponse, reason: string): void {
    this.audit.push(`auth.refused:${reason}`);
    send(res, 401, error('unauthorized', reason.replace('_', ' ')));
  }
}

const error = (code: string, message: string) => ({ error: { code, message, retryable: false } });

function send(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
