// The whole code flow against a real OpenID provider process (the sandbox's, oidc-provider) on 127.0.0.1: a demo agent
// signs in on its login page, the relay exchanges the code and knows which agent it is; a state finishes only once.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareDemo } from '../sandbox/demo';
import { openSqliteRelayStore } from '../store/relay-db';
import type { SqlRelayStore } from '../store/sql-relay-store';
import { browserlessLogin, startOidcProcess, type OidcProcess } from '../test-support/oidc-process';
import type { OidcSettings } from './auth-config';
import { createOidcAgents } from './oidc-agents';
import { createOidcLogin } from './oidc-login';

const REDIRECT = 'http://127.0.0.1:53123/callback';
let idp: OidcProcess;
let store: SqlRelayStore;
let settings: OidcSettings;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'branchline-oidc-real-'));
  idp = await startOidcProcess(path.join(dir, 'idp'), { codeSeconds: 30 });
  store = openSqliteRelayStore(path.join(dir, 'relay')).store;
  await prepareDemo(store, path.join(dir, 'relay'), Date.now());
  settings = {
    issuer: idp.issuer,
    clientId: idp.clientId,
    agentClaim: 'preferred_username',
    teamClaim: null,
    teamMap: new Map(),
    provision: false,
    scopes: ['openid', 'profile'],
  };
}, 60_000);
afterAll(async () => {
  await store.close();
  await idp.stop();
});

describe('single sign-on through the sandbox provider process', () => {
  it('signs a demo agent in: login page, code, verified ID token, agent', async () => {
    const login = createOidcLogin({ settings, store });
    const started = await login.start({ redirectUri: REDIRECT });
    if (!started.ok) throw new Error(started.error.message);
    const back = await browserlessLogin(started.value.authorizationUrl, 'demo-north', idp.password);
    expect(back.error).toBeNull();
    expect(back.state).toBe(started.value.state);
    const identity = await login.finish({ state: back.state!, code: back.code! });
    expect(identity).toMatchObject({ ok: true, value: { issuer: idp.issuer, subject: 'demo-north', agentName: 'demo-north', displayName: 'Noa North' } });
    if (!identity.ok) return;
    const agent = await createOidcAgents(settings, store).resolve(identity.value, '127.0.0.1', Date.now());
    expect(agent).toMatchObject({ ok: true, value: { id: 'demo-north', role: 'agent', teams: [{ id: 'north' }] } });

    const again = await login.finish({ state: back.state!, code: back.code! });
    expect(again.ok ? 'accepted' : again.error.message).toBe('the sign-in state is unknown or was already used');
  });

  it('lets the redirect use any loopback port (RFC 8252), and a wrong password gets no code', async () => {
    const login = createOidcLogin({ settings, store });
    const started = await login.start({ redirectUri: 'http://127.0.0.1:61999/callback' });
    if (!started.ok) throw new Error(started.error.message);
    const wrong = await browserlessLogin(started.value.authorizationUrl, 'demo', 'not-the-password');
    expect(wrong).toEqual({ code: null, state: null, error: 'login_failed' });
    const right = await browserlessLogin(started.value.authorizationUrl, 'demo', idp.password);
    expect(right.error).toBeNull();
    const identity = await login.finish({ state: right.state!, code: right.code! });
    expect(identity.ok ? identity.value.agentName : identity.error.message).toBe('demo');
  });

  it("maps the provider's groups claim to teams and role (demo-lead: branchline-main, branchline-north)", async () => {
    const mapped: OidcSettings = {
      ...settings,
      teamClaim: 'groups',
      teamMap: new Map([
        ['branchline-main', [{ team: 'main', role: 'agent' }]],
        ['branchline-north', [{ team: 'north', role: 'supervisor' }]],
      ]),
    };
    const login = createOidcLogin({ settings: mapped, store });
    const started = await login.start({ redirectUri: REDIRECT });
    if (!started.ok) throw new Error(started.error.message);
    const back = await browserlessLogin(started.value.authorizationUrl, 'demo-lead', idp.password);
    const identity = await login.finish({ state: back.state!, code: back.code! });
    expect(identity.ok ? identity.value.groups : identity.error.message).toEqual(['branchline-main', 'branchline-north']);
    if (!identity.ok) return;
    const agent = await createOidcAgents(mapped, store).resolve(identity.value, '127.0.0.1', Date.now());
    expect(agent).toMatchObject({ ok: true, value: { id: 'demo-lead', role: 'supervisor', teams: [{ id: 'main' }, { id: 'north' }] } });
  });

  it('refuses a code that was already exchanged, even through a fresh state', async () => {
    const login = createOidcLogin({ settings, store });
    const first = await login.start({ redirectUri: REDIRECT });
    if (!first.ok) throw new Error(first.error.message);
    const back = await browserlessLogin(first.value.authorizationUrl, 'demo-lead', idp.password);
    expect((await login.finish({ state: back.state!, code: back.code! })).ok).toBe(true);
    const second = await login.start({ redirectUri: REDIRECT });
    if (!second.ok) throw new Error(second.error.message);
    const replay = await login.finish({ state: second.value.state, code: back.code! });
    expect(replay.ok ? 'accepted' : replay.error.message).toContain('code refused');
  });
});
