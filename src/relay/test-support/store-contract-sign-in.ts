// Store contract, signing in: device sessions (tokens by hash, refresh rotation, a lost answer retried, a reused
// refresh token ending the family, revocation, pruning) and single sign-on records (pending logins, logins, subjects).
import { beforeEach, describe, expect, it } from 'vitest';
import type { RelayStore } from '../store/relay-store';
import { seedBranches, T0, useStore, type OpenStore } from './store-contract-support';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const GRACE = 30_000;

const pair = (n: number, at: number) => ({ access: { hash: `acc-${n}`, expiresAt: at + 15 * MINUTE }, refresh: { hash: `ref-${n}`, expiresAt: at + DAY } });

async function signIn(store: RelayStore, familyId = 'fam-1', deviceId = 'tablet', n = 1): Promise<void> {
  await store.createDeviceSession(
    { familyId, agentId: 'noa', deviceId, firstFactor: 'oidc', createdAt: T0, expiresAt: T0 + 7 * DAY, ...pair(n, T0) },
    { at: T0, action: 'session.signed_in', actorId: 'noa', source: '10.0.0.7', detail: { device: deviceId } },
  );
}

const refresh = (store: RelayStore, hash: string, n: number, now: number, deviceId = 'tablet') =>
  store.refreshDeviceSession({ refreshHash: hash, deviceId, now, source: '10.0.0.8', retryGraceMs: GRACE, ...pair(n, now) });

export function signInContract(open: OpenStore): void {
  describe('device sessions', () => {
    const store = useStore(open);
    beforeEach(async () => {
      await seedBranches(store());
      await signIn(store());
    });

    it('keeps a sign-in with its first tokens, known only by their hashes, and its audit entry', async () => {
      const session = {
        familyId: 'fam-1',
        agentId: 'noa',
        deviceId: 'tablet',
        firstFactor: 'oidc',
        createdAt: T0,
        expiresAt: T0 + 7 * DAY,
        accessExpiresAt: T0 + 15 * MINUTE,
        revokedAt: null,
        revokedReason: null,
      };
      expect(await store().sessionToken('acc-1')).toEqual({
        kind: 'access',
        expiresAt: T0 + 15 * MINUTE,
        spentAt: null,
        usedAt: null,
        revokedAt: null,
        session,
      });
      expect(await store().sessionToken('ref-1')).toMatchObject({ kind: 'refresh', expiresAt: T0 + DAY, spentAt: null, session });
      expect(await store().sessionToken('nothing')).toBeNull();
      expect((await store().deviceSessionStates(['fam-1', 'fam-unknown'])).get('fam-1')).toEqual(session);
      expect((await store().deviceSessionStates(['fam-unknown'])).size).toBe(0);
      const trail = await store().readAudit({ agentId: 'noa', limit: 10 });
      expect(trail.filter((e) => e.action.startsWith('session.'))).toMatchObject([
        { action: 'session.signed_in', at: T0, source: '10.0.0.7', detail: { device: 'tablet' } },
      ]);
    });

    it('notes an access token’s first use only', async () => {
      expect(await store().markSessionTokenUsed('acc-1', T0 + 1000)).toBe(true);
      expect(await store().markSessionTokenUsed('acc-1', T0 + 2000)).toBe(true);
      expect((await store().sessionToken('acc-1'))!.usedAt).toBe(T0 + 1000);
    });

    it('rotates on refresh: the old refresh token is spent, the new pair works, the session’s access expiry moves', async () => {
      const rotated = await refresh(store(), 'ref-1', 2, T0 + MINUTE);
      expect(rotated).toMatchObject({ kind: 'rotated', session: { familyId: 'fam-1', accessExpiresAt: T0 + 16 * MINUTE, revokedAt: null } });
      expect((await store().sessionToken('ref-1'))!.spentAt).toBe(T0 + MINUTE);
      expect(await store().sessionToken('acc-2')).toMatchObject({ kind: 'access', revokedAt: null });
      expect((await refresh(store(), 'ref-2', 3, T0 + 2 * MINUTE)).kind).toBe('rotated');
    });

    it('gives a new pair to the same device retrying a refresh whose answer was lost, revoking the pair it never got', async () => {
      await refresh(store(), 'ref-1', 2, T0 + MINUTE);
      expect((await refresh(store(), 'ref-1', 3, T0 + MINUTE + 5000)).kind).toBe('retried');
      expect((await store().sessionToken('acc-2'))!.revokedAt).not.toBeNull();
      expect(await store().markSessionTokenUsed('acc-2', T0 + 2 * MINUTE)).toBe(false);
      expect(await store().markSessionTokenUsed('acc-3', T0 + 2 * MINUTE)).toBe(true);
      expect((await refresh(store(), 'ref-3', 4, T0 + 3 * MINUTE)).kind).toBe('rotated');
    });

    it('ends the whole sign-in when a spent refresh token comes back otherwise, and audits it', async () => {
      await refresh(store(), 'ref-1', 2, T0 + MINUTE);
      await store().markSessionTokenUsed('acc-2', T0 + MINUTE + 1000); // the answer arrived: this is no retry
      const reused = await refresh(store(), 'ref-1', 3, T0 + MINUTE + 2000);
      expect(reused).toMatchObject({ kind: 'reused', session: { familyId: 'fam-1', revokedReason: 'refresh_reused' } });
      expect(reused.session!.revokedAt).not.toBeNull();
      expect(await refresh(store(), 'ref-2', 4, T0 + 2 * MINUTE)).toMatchObject({ kind: 'refused', reason: 'revoked' });
      const [entry] = (await store().readAudit({ agentId: 'noa', limit: 10 })).filter((e) => e.action === 'session.refresh_reused');
      expect(entry).toMatchObject({ actorId: 'noa', source: '10.0.0.8' });
    });

    it('treats a spent refresh token from another device, or after the grace, as a reuse', async () => {
      await signIn(store(), 'fam-2', 'phone', 9);
      await refresh(store(), 'ref-1', 2, T0 + MINUTE);
      expect((await refresh(store(), 'ref-1', 3, T0 + MINUTE + 1000, 'laptop')).kind).toBe('reused');
      await signIn(store(), 'fam-3', 'desk', 5);
      expect((await refresh(store(), 'ref-5', 6, T0 + MINUTE, 'desk')).kind).toBe('rotated');
      expect((await refresh(store(), 'ref-5', 7, T0 + MINUTE + GRACE + 1, 'desk')).kind).toBe('reused');
      expect((await store().deviceSessionStates(['fam-2'])).get('fam-2')!.revokedAt).toBeNull();
    });

    it('refuses, changing nothing, an unknown token, an access token, another device, and an expired one', async () => {
      expect(await refresh(store(), 'nothing', 2, T0 + MINUTE)).toEqual({ kind: 'refused', reason: 'unknown', session: null });
      expect(await refresh(store(), 'acc-1', 2, T0 + MINUTE)).toMatchObject({ kind: 'refused', reason: 'unknown' });
      expect(await refresh(store(), 'ref-1', 2, T0 + MINUTE, 'laptop')).toMatchObject({
        kind: 'refused',
        reason: 'wrong_device',
        session: { familyId: 'fam-1' },
      });
      expect(await refresh(store(), 'ref-1', 2, T0 + DAY)).toMatchObject({ kind: 'refused', reason: 'expired' });
      expect((await store().sessionToken('ref-1'))!.spentAt).toBeNull();
      expect(await store().sessionToken('acc-2')).toBeNull();
    });

    it('ends a session once, with its audit entry; its refresh token is then refused', async () => {
      const bye = { at: T0 + MINUTE, action: 'session.signed_out' as const, actorId: 'noa', source: '10.0.0.7' };
      expect(await store().revokeDeviceSession('fam-1', 'logout', T0 + MINUTE, bye)).toBe(true);
      expect(await store().revokeDeviceSession('fam-1', 'logout', T0 + 2 * MINUTE, bye)).toBe(false);
      expect((await store().deviceSessionStates(['fam-1'])).get('fam-1')).toMatchObject({ revokedAt: T0 + MINUTE, revokedReason: 'logout' });
      expect((await store().readAudit({ agentId: 'noa', limit: 10 })).filter((e) => e.action === 'session.signed_out')).toHaveLength(1);
      expect(await refresh(store(), 'ref-1', 2, T0 + 2 * MINUTE)).toMatchObject({ kind: 'refused', reason: 'revoked' });
    });

    it('forgets sessions that ended over a day ago, and only those', async () => {
      await signIn(store(), 'fam-2', 'phone', 9);
      await store().revokeDeviceSession('fam-1', 'logout', T0 + MINUTE, null);
      expect(await store().pruneDeviceSessions(T0 + MINUTE + DAY - 1)).toBe(0);
      expect(await store().sessionToken('acc-1')).not.toBeNull();
      expect(await store().pruneDeviceSessions(T0 + 2 * MINUTE + DAY)).toBeGreaterThan(0);
      expect(await store().sessionToken('acc-1')).toBeNull();
      expect(await store().sessionToken('ref-1')).toBeNull();
      expect([...(await store().deviceSessionStates(['fam-1', 'fam-2'])).keys()]).toEqual(['fam-2']);
    });
  });

  describe('single sign-on records', () => {
    const store = useStore(open);
    beforeEach(async () => {
      await seedBranches(store());
    });
    const login = (state: string, createdAt: number) => ({
      state,
      verifier: `v-${state}`,
      nonce: `n-${state}`,
      redirectUri: 'http://127.0.0.1:4999/cb',
      deviceId: 'tablet',
      createdAt,
    });

    it('hands a started sign-in back once, and never one older than its age limit', async () => {
      await store().savePendingOidcLogin(login('s1', T0), 10 * MINUTE);
      expect(await store().takePendingOidcLogin('s1', T0 + MINUTE, 10 * MINUTE)).toEqual({ ok: true, value: login('s1', T0) });
      expect(await store().takePendingOidcLogin('s1', T0 + MINUTE, 10 * MINUTE)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
      await store().savePendingOidcLogin(login('s2', T0), 10 * MINUTE);
      expect(await store().takePendingOidcLogin('s2', T0 + 11 * MINUTE, 10 * MINUTE)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
      // Abandoned sign-ins go when the next one starts.
      await store().savePendingOidcLogin(login('s3', T0), 10 * MINUTE);
      await store().savePendingOidcLogin(login('s4', T0 + 20 * MINUTE), 10 * MINUTE);
      expect(await store().takePendingOidcLogin('s3', T0 + 20 * MINUTE, 60 * MINUTE)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
      expect((await store().takePendingOidcLogin('s4', T0 + 21 * MINUTE, 10 * MINUTE)).ok).toBe(true);
    });

    it('finds an agent by her bank login in any case, else by id, revoked ones too; a login is one agent’s only', async () => {
      expect(await store().setAgentSsoLogin('noa', 'NKatz', T0, { actorId: null, source: 'cli' })).toEqual({ ok: true, value: undefined });
      expect(await store().findSsoAgent('nkatz')).toMatchObject({ access: { id: 'noa', teams: [{ id: 'north' }] }, ssoLogin: 'NKatz', bound: null });
      expect(await store().findSsoAgent('tal')).toMatchObject({ access: { id: 'tal' }, ssoLogin: null });
      expect(await store().findSsoAgent('nobody')).toBeNull();
      expect(await store().setAgentSsoLogin('tal', 'nkatz', T0)).toMatchObject({ ok: false, error: { code: 'conflict' } });
      expect(await store().setAgentSsoLogin('nobody', 'x', T0)).toMatchObject({ ok: false, error: { code: 'not_found' } });
      expect([...(await store().ssoLogins())]).toEqual([['noa', 'NKatz']]);
      expect((await store().readAudit({ agentId: 'noa', limit: 10 })).map((e) => e.action)).toContain('agent.change');
      await store().revokeAgent('noa', T0);
      expect((await store().findSsoAgent('NKATZ'))!.access.revokedAt).toBe(T0);
      expect(await store().setAgentSsoLogin('noa', null, T0)).toEqual({ ok: true, value: undefined });
      expect(await store().findSsoAgent('nkatz')).toBeNull();
    });

    it('binds the provider’s subject at first sign-in, and refuses another subject after', async () => {
      expect(await store().bindSsoSubject('noa', 'https://idp.bank', 'sub-1')).toBe(true);
      expect(await store().bindSsoSubject('noa', 'https://idp.bank', 'sub-1')).toBe(true);
      expect(await store().bindSsoSubject('noa', 'https://idp.bank', 'sub-2')).toBe(false);
      expect((await store().findSsoAgent('noa'))!.bound).toEqual({ issuer: 'https://idp.bank', subject: 'sub-1' });
    });

    it('provisions an agent the bank’s groups grant teams to, bound and audited; an unknown team is forbidden', async () => {
      const agent = { id: 'eli', name: 'Eli Bar', ssoLogin: 'ebar', issuer: 'https://idp.bank', subject: 'sub-9', teams: ['north'], role: 'agent' as const };
      expect(await store().provisionSsoAgent({ ...agent, teams: ['south'] }, T0, '10.0.0.7')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(await store().agentAccess('eli')).toBeNull();
      expect(await store().provisionSsoAgent(agent, T0, '10.0.0.7')).toMatchObject({ ok: true, value: { id: 'eli', role: 'agent', teams: [{ id: 'north' }] } });
      expect(await store().findSsoAgent('EBAR')).toMatchObject({ ssoLogin: 'ebar', bound: { issuer: 'https://idp.bank', subject: 'sub-9' } });
      expect((await store().readAudit({ agentId: 'eli', limit: 10 })).map((e) => [e.action, e.source])).toEqual([['agent.provisioned', '10.0.0.7']]);
      expect((await store().provisionSsoAgent(agent, T0, '10.0.0.7')).ok).toBe(false);
    });
  });
}
