// The sandbox's built-in OpenID provider (oidc-provider) on 127.0.0.1: the demo agents as users, one public native
// client with PKCE and loopback redirects on any port, its own sign-in page and signing key, short-lived codes.
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Account } from 'oidc-provider';
import { z } from 'zod';
import { makePrivateDir } from '../../node-shared/private-files';
import { readBody } from '../../node-shared/http-body';
import { DEMO_AGENTS } from './demo';
import { SandboxAdapter } from './oidc-sandbox-adapter';
import { errorPage, loginPage } from './oidc-sandbox-page';

export const SANDBOX_OIDC_CLIENT_ID = 'branchline-console';
/** Every demo user's password: printed in the sandbox banner; this provider is for demos and tests only. */
export const SANDBOX_OIDC_PASSWORD = 'branchline-demo';
export const OIDC_SANDBOX_KEYS_FILE = 'oidc-sandbox-keys.json';

export interface OidcSandboxOptions {
  /** Holds the provider's signing and cookie keys (0600), so tokens and sessions outlive a restart. */
  readonly dataDir: string;
  /** 0 (default): any free port. */
  readonly port?: number;
  /** How long an authorization code may wait to be exchanged (seconds; default 60). */
  readonly codeTtlSeconds?: number;
  /** Lifetime of ID and access tokens (seconds; default 600). */
  readonly tokenTtlSeconds?: number;
}

export interface OidcSandbox {
  readonly issuer: string;
  readonly clientId: string;
  readonly password: string;
  close(): Promise<void>;
}

/** The demo agents as the provider's users: what their ID tokens say about them. */
const USERS = new Map(DEMO_AGENTS.map((a) => [a.id, a]));

const Keys = z.object({ signing: z.looseObject({ kty: z.string(), kid: z.string() }), cookie: z.string().min(32) });
type Keys = z.infer<typeof Keys>;

export async function startOidcSandbox(options: OidcSandboxOptions): Promise<OidcSandbox> {
  const keys = await loadOrCreateKeys(options.dataDir);
  let provider: Provider | null = null;
  let handle: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const server = createServer((req, res) => {
    if (provider === null || handle === null) return void res.writeHead(503).end();
    if (req.url?.startsWith('/interaction/') === true) {
      interaction(provider, req, res).catch(() => {
        if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' });
        res.end('this sign-in can no longer be continued; start again from Branchline');
      });
      return;
    }
    handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider = new Provider(issuer, configuration(keys, options));
  handle = provider.callback();
  return {
    issuer,
    clientId: SANDBOX_OIDC_CLIENT_ID,
    password: SANDBOX_OIDC_PASSWORD,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function configuration(keys: Keys, options: OidcSandboxOptions) {
  const tokenTtl = options.tokenTtlSeconds ?? 600;
  // RFC 8252 §7.3: for a native client oidc-provider matches a loopback redirect ignoring its port, host and path exact.
  const redirectUris = ['127.0.0.1', 'localhost', '[::1]'].flatMap((host) => ['/callback', '/sso/callback'].map((p) => `http://${host}${p}`));
  return {
    clients: [
      {
        client_id: SANDBOX_OIDC_CLIENT_ID,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: redirectUris,
      },
    ],
    adapter: SandboxAdapter,
    jwks: { keys: [keys.signing] },
    cookies: { keys: [keys.cookie] },
    // A public client must prove the code is its own (PKCE S256): oidc-provider requires it for auth method none.
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    // The relay reads the agent's name from the ID token, not from userinfo.
    conformIdTokenClaims: false,
    claims: { openid: ['sub'], profile: ['name', 'preferred_username', 'groups'], email: ['email', 'email_verified'] },
    ttl: { AuthorizationCode: options.codeTtlSeconds ?? 60, IdToken: tokenTtl, AccessToken: tokenTtl, Interaction: 600, Session: 3600, Grant: 3600 },
    // Our own error page (oidc-provider's default prints a notice asking for one); the error code only, never input.
    renderError: async (ctx: { type: string; body: unknown }, out: { error?: unknown }) => {
      ctx.type = 'html';
      ctx.body = errorPage(typeof out.error === 'string' ? out.error : 'error');
    },
    findAccount: async (_ctx: unknown, id: string): Promise<Account | undefined> => {
      const user = USERS.get(id);
      if (user === undefined) return undefined;
      return {
        accountId: id,
        claims: async () => ({
          sub: id,
          preferred_username: id,
          name: user.name,
          email: `${id}@sandbox.branchline.test`,
          email_verified: true,
          groups: user.teams.map((t) => `branchline-${t}`),
        }),
      };
    },
  };
}

/** The provider's prompts: `login` shows our page; `consent` is granted at once (the sandbox's only client is ours). */
async function interaction(provider: Provider, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  const html = (status: number, body: string) => res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(body);
  if (details.prompt.name === 'consent') {
    const grant =
      (details.grantId === undefined ? undefined : await provider.Grant.find(details.grantId)) ??
      new provider.Grant({ clientId: SANDBOX_OIDC_CLIENT_ID, accountId: details.session?.accountId ?? '' });
    grant.addOIDCScope(typeof details.params.scope === 'string' ? details.params.scope : 'openid');
    await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
    return;
  }
  if (req.method === 'GET') return void html(200, loginPage(details.uid, SANDBOX_OIDC_CLIENT_ID, null));
  if (req.method !== 'POST' || !req.url?.endsWith('/login')) return void html(405, loginPage(details.uid, SANDBOX_OIDC_CLIENT_ID, null));
  const form = new URLSearchParams((await readBody(req, 4096)).toString('utf8'));
  const username = form.get('username')?.trim() ?? '';
  if (!USERS.has(username) || form.get('password') !== SANDBOX_OIDC_PASSWORD) {
    return void html(401, loginPage(details.uid, SANDBOX_OIDC_CLIENT_ID, 'Unknown username or wrong password.', username));
  }
  await provider.interactionFinished(req, res, { login: { accountId: username } }, { mergeWithLastSubmission: false });
}

/** The provider's RSA signing key and cookie key, made once per data folder and kept private. */
async function loadOrCreateKeys(dataDir: string): Promise<Keys> {
  makePrivateDir(dataDir);
  const file = path.join(dataDir, OIDC_SANDBOX_KEYS_FILE);
  try {
    const parsed = Keys.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // No keys yet, or damaged: new ones replace them (sign-ins in progress start again).
  }
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const keys: Keys = {
    signing: { ...(await exportJWK(privateKey)), kty: 'RSA', kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' },
    cookie: randomBytes(32).toString('base64url'),
  };
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(keys), { mode: 0o600 });
  renameSync(temporary, file);
  return keys;
}
