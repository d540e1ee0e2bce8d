// The relay's OpenID client against a provider that answers bad ID tokens: each is refused with the reason the route
// records, a state is good for one finish only, and an unreachable provider is `unavailable`, not a refusal.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { relayDatabaseFile, openSqliteRelayStore } from '../store/relay-db';
import type { SqlRelayStore } from '../store/sql-relay-store';
import { startRogueIdp, type RogueIdp, type RogueToken } from '../test-support/rogue-idp';
import type { OidcSettings } from './auth-config';
import { createOidcLogin, refusalReasonOf } from './oidc-login';
import type { OidcLogin } from './oidc-port';

const REDIRECT = 'http://127.0.0.1:53100/callback';
let idp: RogueIdp;
let store: SqlRelayStore;
let dataDir: string;
let login: OidcLogin;

function settingsFor(issuer: string, clientId: string): OidcSettings {
  return { issuer, clientId, agentClaim: 'preferred_username', teamClaim: 'groups', teamMap: new Map(), provision: false, scopes: ['openid', 'profile'] };
}

beforeAll(async () => {
  idp = await startRogueIdp();
  dataDir = mkdtempSync(path.join(tmpdir(), 'branchline-oidc-rogue-'));
  store = openSqliteRelayStore(dataDir).store;
  login = createOidcLogin({ settings: settingsFor(idp.issuer, idp.clientId), store });
});
afterAll(async () => {
  await store.close();
  await idp.close();
});

/** Starts a login, lets the provider answer `token` for it, and finishes. */
async function signIn(token: RogueToken, nonceOverride?: string) {
  const started = await login.start({ redirectUri: REDIRECT });
  if (!started.ok) throw new Error(started.error.message);
  const url = new URL(started.value.authorizationUrl);
  idp.nextToken(nonceOverride ?? url.searchParams.get('nonce')!, token);
  return { started: started.value, url, finished: await login.finish({ state: started.value.state, code: 'code-1' }) };
}

describe('OidcLogin against a rogue provider', () => {
  it('asks for the code with PKCE S256, state, nonce and the configured scopes, to the loopback redirect', async () => {
    const started = await login.start({ redirectUri: REDIRECT });
    expect(started.ok).toBe(true);
    if (!started.ok) return;
    const url = new URL(started.value.authorizationUrl);
    expect(url.origin + url.pathname).toBe(`${idp.issuer}/authorize`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: 'branchline-console',
      redirect_uri: REDIRECT,
      response_type: 'code',
      code_challenge_method: 'S256',
      scope: 'openid profile',
      state: started.value.state,
    });
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('nonce')).toBeTruthy();
  });

  it('accepts a well-formed ID token and names the agent and groups from it', async () => {
    const { finished } = await signIn({ claims: { sub: 'sub-1', preferred_username: 'amara', groups: ['g-north'], name: 'Amara Okafor' } });
    expect(finished).toEqual({
      ok: true,
      value: { issuer: idp.issuer, subject: 'sub-1', agentName: 'amara', groups: ['g-north'], displayName: 'Amara Okafor' },
    });
  });

  const now = () => Math.floor(Date.now() / 1000);
  it.each<[string, RogueToken, string]>([
    ['another audience', { claims: { aud: 'someone-else' } }, 'wrong audience'],
    ['another issuer', { claims: { iss: 'https://login.evil.example' } }, 'wrong issuer'],
    ['an expired token', { claims: { iat: now() - 7200, exp: now() - 3600 } }, 'expired'],
    ['a key not in the JWKS', { foreignKey: true }, 'bad signature'],
  ])('refuses %s: "%s"', async (_label, token, reason) => {
    const { finished } = await signIn(token);
    expect(finished.ok).toBe(false);
    if (finished.ok) return;
    expect(finished.error.code).toBe('unauthorized');
    expect(finished.error.message).toContain(reason);
    expect(refusalReasonOf(finished.error)).toBe('id_token_invalid');
  });

  it('refuses an ID token minted for another login (replayed nonce)', async () => {
    const { finished } = await signIn({}, 'nonce-of-another-login');
    expect(finished.ok).toBe(false);
    if (!finished.ok) expect(finished.error.message).toContain('nonce mismatch');
  });

  it('refuses a login finished by another device than started it, before the code reaches the provider, and keeps no way to retry it', async () => {
    const started = await login.start({ redirectUri: REDIRECT, deviceId: 'desk-1' });
    if (!started.ok) throw new Error(started.error.message);
    idp.nextToken(new URL(started.value.authorizationUrl).searchParams.get('nonce')!, {});
    const before = idp.tokenRequests();
    const stolen = await login.finish({ state: started.value.state, code: 'code-1', deviceId: 'laptop-9' });
    expect(stolen.ok).toBe(false);
    if (!stolen.ok) expect([stolen.error.code, stolen.error.message]).toEqual(['unauthorized', 'the sign-in state was started on another device']);
    expect(idp.tokenRequests()).toBe(before);
    // The state is spent: the right device cannot finish it afterwards either (it starts again).
    expect((await login.finish({ state: started.value.state, code: 'code-1', deviceId: 'desk-1' })).ok).toBe(false);
  });

  it('finishes a state once: the second finish is refused without reaching the provider', async () => {
    const { started, finished } = await signIn({});
    expect(finished.ok).toBe(true);
    const before = idp.tokenRequests();
    const again = await login.finish({ state: started.state, code: 'code-1' });
    expect(again.ok).toBe(false);
    if (!again.ok) expect([again.error.code, again.error.message]).toEqual(['unauthorized', 'the sign-in state is unknown or was already used']);
    if (!again.ok) expect(refusalReasonOf(again.error)).toBe('sso_state_unknown');
    expect(idp.tokenRequests()).toBe(before);
  });

  it('refuses a state older than 10 minutes', async () => {
    let clock = Date.now();
    const late = createOidcLogin({ settings: settingsFor(idp.issuer, idp.clientId), store, now: () => clock });
    const started = await late.start({ redirectUri: REDIRECT });
    if (!started.ok) throw new Error(started.error.message);
    clock += 10 * 60_000 + 1;
    const finished = await late.finish({ state: started.value.state, code: 'code-1' });
    expect(finished.ok).toBe(false);
    if (!finished.ok) expect(finished.error.message).toContain('expired');
  });

  it('forgets abandoned sign-ins: starts never finished do not pile up in the relay database', async () => {
    let clock = Date.now();
    const busy = createOidcLogin({ settings: settingsFor(idp.issuer, idp.clientId), store, now: () => clock });
    for (let i = 0; i < 20; i++) await busy.start({ redirectUri: REDIRECT });
    clock += 10 * 60_000 + 1;
    const last = await busy.start({ redirectUri: REDIRECT });
    const db = new Database(relayDatabaseFile(dataDir), { readonly: true });
    try {
      const rows = db.prepare('SELECT state FROM oidc_logins WHERE created_at >= ?').all(clock - 60_000);
      expect(rows).toEqual([{ state: last.ok ? last.value.state : null }]);
      expect(db.prepare('SELECT count(*) AS n FROM oidc_logins WHERE created_at < ?').get(clock - 10 * 60_000)).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });

  it('refuses a redirect that is not loopback http', async () => {
    for (const redirectUri of ['https://127.0.0.1:5/cb', 'http://evil.example:80/cb', 'http://user@127.0.0.1:5/cb', 'not a url']) {
      const started = await login.start({ redirectUri });
      expect(started.ok ? 'ok' : started.error.code).toBe('invalid_input');
    }
  });

  it('says unavailable (not refused) when the provider cannot be reached, and not_found without SSO', async () => {
    const gone = await startRogueIdp();
    await gone.close();
    const unreachable = createOidcLogin({ settings: settingsFor(gone.issuer, gone.clientId), store, timeoutSeconds: 2 });
    const started = await unreachable.start({ redirectUri: REDIRECT });
    expect(started.ok ? 'ok' : started.error.code).toBe('unavailable');
    if (!started.ok) expect(refusalReasonOf(started.error)).toBeNull();
    const off = createOidcLogin({ settings: null, store });
    const none = await off.start({ redirectUri: REDIRECT });
    expect(none.ok ? 'ok' : none.error.code).toBe('not_found');
  });
});
