// Which agent a signed-in identity is, on a real relay database, with ID tokens from a loopback provider: unknown users
// and bad tokens create nothing, provisioning only when on and granted, subjects bound, teams following the groups.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Role } from '../../shared/domain';
import type { Result } from '../../shared/errors';
import { openSqliteRelayStore } from '../store/relay-db';
import type { AgentAccess } from '../store/relay-store';
import type { SqlRelayStore } from '../store/sql-relay-store';
import { startRogueIdp, type RogueIdp, type RogueToken } from '../test-support/rogue-idp';
import type { OidcSettings } from './auth-config';
import { createOidcAgents } from './oidc-agents';
import { createOidcLogin, refusalReasonOf } from './oidc-login';

const CLI = { actorId: null, source: 'cli' };
let idp: RogueIdp;
let store: SqlRelayStore;

beforeAll(async () => {
  idp = await startRogueIdp();
});
afterAll(async () => {
  await idp.close();
});
afterEach(async () => {
  await store.close();
});
beforeEach(async () => {
  store = openSqliteRelayStore(mkdtempSync(path.join(tmpdir(), 'branchline-oidc-agents-'))).store;
  await store.addTeam('north', 'North', Date.now(), CLI);
  await store.addAgent('amara', 'Amara Okafor', 'hash-amara', Date.now(), { teams: ['main'], by: CLI });
});

function settings(change: Partial<OidcSettings> = {}): OidcSettings {
  const teamMap = new Map<string, { team: string; role: Role }[]>([
    ['g-north', [{ team: 'north', role: 'agent' }]],
    ['g-leads', [{ team: 'main', role: 'supervisor' }]],
  ]);
  return {
    issuer: idp.issuer,
    clientId: idp.clientId,
    agentClaim: 'preferred_username',
    teamClaim: 'groups',
    teamMap,
    provision: false,
    scopes: ['openid'],
    ...change,
  };
}

/** A whole sign-in: the provider answers `token`, the relay verifies it and resolves the agent. */
async function signIn(token: RogueToken, oidc = settings()): Promise<Result<AgentAccess>> {
  const login = createOidcLogin({ settings: oidc, store });
  const started = await login.start({ redirectUri: 'http://127.0.0.1:53100/callback' });
  if (!started.ok) throw new Error(started.error.message);
  idp.nextToken(new URL(started.value.authorizationUrl).searchParams.get('nonce')!, token);
  const identity = await login.finish({ state: started.value.state, code: 'c' });
  if (!identity.ok) return identity;
  return createOidcAgents(oidc, store).resolve(identity.value, '10.0.0.7', Date.now());
}

const now = () => Math.floor(Date.now() / 1000);
const user = (name: string, sub: string, groups: string[] = []) => ({ claims: { preferred_username: name, sub, groups } });

describe('OidcAgents', () => {
  it('refuses an unknown user with words for IT, and creates nobody', async () => {
    const before = (await store.listAgents()).length;
    const refused = await signIn(user('zoe', 'sub-zoe'));
    expect(refused.ok ? 'ok' : [refused.error.code, refused.error.message]).toEqual(['forbidden', 'zoe is not a Branchline agent here; ask IT to add them']);
    if (!refused.ok) expect(refusalReasonOf(refused.error)).toBe('unknown_user');
    expect((await store.listAgents()).length).toBe(before);
  });

  it('provisions nobody from a bad ID token, even for a granted unknown user with provisioning on', async () => {
    const oidc = settings({ provision: true });
    const granted = { preferred_username: 'zoe', sub: 'sub-zoe', groups: ['g-north'] };
    const bad: RogueToken[] = [
      { claims: { ...granted, aud: 'another-app' } },
      { claims: { ...granted, iss: 'https://login.evil.example' } },
      { claims: { ...granted, iat: now() - 7200, exp: now() - 3600 } },
      { claims: granted, foreignKey: true },
    ];
    for (const token of bad) expect((await signIn(token, oidc)).ok).toBe(false);
    expect((await store.listAgents()).map((a) => a.id)).toEqual(['amara']);
  });

  it('provisions a granted unknown user when provisioning is on: teams and highest role from the groups, audited', async () => {
    const made = await signIn(
      { claims: { preferred_username: 'Zoe@bank.example', sub: 'sub-zoe', groups: ['g-north', 'g-leads'], name: 'Zoe Adler' } },
      settings({ provision: true }),
    );
    expect(made).toMatchObject({ ok: true, value: { id: 'zoe', name: 'Zoe Adler', role: 'supervisor', teams: [{ id: 'main' }, { id: 'north' }] } });
    const audit = await store.readAudit({ agentId: 'zoe', limit: 10 });
    expect(audit.map((a) => [a.action, a.source])).toEqual([['agent.provisioned', '10.0.0.7']]);
    // The next sign-in finds the same agent by its SSO login, in any case.
    expect(await signIn(user('zoe@BANK.example', 'sub-zoe', ['g-north', 'g-leads']), settings({ provision: true }))).toMatchObject({
      ok: true,
      value: { id: 'zoe' },
    });
  });

  it('refuses an ungranted unknown user even with provisioning on', async () => {
    expect((await signIn(user('zoe', 'sub-zoe', ['g-unmapped']), settings({ provision: true }))).ok).toBe(false);
    expect((await store.listAgents()).length).toBe(1);
  });

  it('binds the first subject: the same name with another subject is refused (a reused username)', async () => {
    expect(await signIn(user('amara', 'sub-amara-1'))).toMatchObject({ ok: true, value: { id: 'amara' } });
    expect(await signIn(user('amara', 'sub-amara-1'))).toMatchObject({ ok: true });
    const other = await signIn(user('amara', 'sub-someone-new'));
    expect(other.ok ? 'ok' : other.error.code).toBe('forbidden');
    // IT re-links the agent: the next sign-in binds whoever it is.
    expect((await store.setAgentSsoLogin('amara', 'amara', Date.now(), CLI)).ok).toBe(true);
    expect(await signIn(user('amara', 'sub-someone-new'))).toMatchObject({ ok: true, value: { id: 'amara' } });
    expect((await signIn(user('amara', 'sub-amara-1'))).ok).toBe(false);
  });

  it('finds an agent by the SSO login IT set, whatever its case, and refuses a revoked one', async () => {
    expect((await store.setAgentSsoLogin('amara', 'a.okafor@bank.example', Date.now(), CLI)).ok).toBe(true);
    expect(await signIn({ claims: { preferred_username: 'A.Okafor@Bank.Example', sub: 's1' } })).toMatchObject({ ok: true, value: { id: 'amara' } });
    await store.revokeAgent('amara', Date.now(), CLI);
    const revoked = await signIn({ claims: { preferred_username: 'a.okafor@bank.example', sub: 's1' } });
    expect(revoked.ok ? 'ok' : revoked.error.message).toBe('agent amara is revoked on this relay; ask IT');
  });

  it("moves an existing agent's teams and role to what the groups grant at sign-in, audited once", async () => {
    expect(await signIn(user('amara', 's1', ['g-north']))).toMatchObject({ ok: true, value: { role: 'agent', teams: [{ id: 'north' }] } });
    expect(await signIn(user('amara', 's1', ['g-north']))).toMatchObject({ ok: true });
    const changes = (await store.readAudit({ agentId: 'amara', limit: 10 })).filter((a) => a.action === 'agent.change');
    expect(changes.map((c) => [c.detail?.teams, c.detail?.previousTeams, c.source])).toEqual([['north', 'main', '10.0.0.7']]);
  });
});
