// Device sessions over a real relay database: what an access token lets in, refresh rotation, a retried refresh whose
// answer was lost and what a reused refresh token does, lifetimes, and an agent's revocation or new token ending sessions.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeClock } from '../../shared/clock';
import { hashAgentToken } from '../agent-tokens';
import { openSqliteRelayStore } from '../store/relay-db';
import type { SqlRelayStore } from '../store/sql-relay-store';
import { DeviceSessions, REFRESH_RETRY_GRACE_MS } from './device-sessions';

const stores: SqlRelayStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

async function setUp() {
  const store = openSqliteRelayStore(mkdtempSync(path.join(tmpdir(), 'branchline-sessions-'))).store;
  stores.push(store);
  const clock = createFakeClock();
  await store.setAgentToken('ana', 'Ana Cohen', hashAgentToken('blt_ana'), clock.wallNow());
  const ana = (await store.agentAccess('ana'))!;
  const sessions = new DeviceSessions({ store, clock, lifetimes: { sessionMinutes: 15, maxSessionHours: 12 } });
  return { store, clock, sessions, ana };
}

const accessOf = async (sessions: DeviceSessions, token: string, device: string | null) => {
  const r = await sessions.authenticate(token, device);
  return r.ok ? r.value.access.id : r.reason;
};

describe('device sessions', () => {
  it('issue tokens bound to the device, 15 minutes of access within a 12-hour session, and record the sign-in', async () => {
    const { store, clock, sessions, ana } = await setUp();
    const tokens = await sessions.issue(ana, 'desk-1', 'token', '10.0.0.7');
    expect(tokens.accessToken).toMatch(/^bla_[A-Za-z0-9_-]{43}$/);
    expect(tokens.refreshToken).toMatch(/^blr_[A-Za-z0-9_-]{43}$/);
    expect(tokens.accessExpiresAt - clock.wallNow()).toBe(15 * 60_000);
    expect(tokens.sessionExpiresAt - clock.wallNow()).toBe(12 * 3_600_000);
    expect(tokens.agent).toEqual({ id: 'ana', name: 'Ana Cohen', role: 'agent', teams: ['main'] });

    expect(await accessOf(sessions, tokens.accessToken, 'desk-1')).toBe('ana');
    expect(await accessOf(sessions, tokens.accessToken, null)).toBe('ana'); // media names no device
    expect(await accessOf(sessions, tokens.accessToken, 'desk-2')).toBe('wrong_device');
    expect(await accessOf(sessions, tokens.refreshToken, 'desk-1')).toBe('unknown_or_revoked'); // a refresh token is no access token
    const [entry] = await store.readAudit({ agentId: 'ana', limit: 100 });
    expect(entry).toMatchObject({ action: 'session.signed_in', source: '10.0.0.7', detail: { method: 'token', device: 'desk-1' } });
    expect(JSON.stringify(await store.readAudit({ limit: 100 }))).not.toContain(tokens.accessToken.slice(4));
  });

  it('rotate on refresh; the old refresh token used again ends the whole session and is recorded', async () => {
    const { store, sessions, ana } = await setUp();
    const first = await sessions.issue(ana, 'desk-1', 'oidc', '10.0.0.7');
    const refreshed = await sessions.refresh(first.refreshToken, 'desk-1', '10.0.0.7');
    if (!refreshed.ok) throw new Error(refreshed.message);
    expect(refreshed.value.tokens.refreshToken).not.toBe(first.refreshToken);
    expect(await accessOf(sessions, refreshed.value.tokens.accessToken, 'desk-1')).toBe('ana');

    const reused = await sessions.refresh(first.refreshToken, 'desk-1', '192.0.2.9');
    expect(reused).toMatchObject({ ok: false, reason: 'refresh_reused', agentId: 'ana' });
    expect(await accessOf(sessions, refreshed.value.tokens.accessToken, 'desk-1')).toBe('session_revoked');
    expect(await accessOf(sessions, first.accessToken, 'desk-1')).toBe('session_revoked');
    expect(await sessions.refresh(refreshed.value.tokens.refreshToken, 'desk-1', '10.0.0.7')).toMatchObject({ ok: false, reason: 'session_revoked' });
    const reuse = (await store.readAudit({ agentId: 'ana', limit: 100 })).find((e) => e.action === 'session.refresh_reused');
    expect(reuse).toMatchObject({ source: '192.0.2.9', detail: { device: 'desk-1' } });
  });

  it("refuse another device's refresh without spending the token", async () => {
    const { sessions, ana } = await setUp();
    const tokens = await sessions.issue(ana, 'desk-1', 'token', '10.0.0.7');
    expect(await sessions.refresh(tokens.refreshToken, 'desk-2', '10.0.0.8')).toMatchObject({ ok: false, reason: 'wrong_device' });
    expect((await sessions.refresh(tokens.refreshToken, 'desk-1', '10.0.0.7')).ok).toBe(true);
  });

  it('let an access token lapse after its minutes while the session refreshes, and end the session at its absolute maximum', async () => {
    const { clock, sessions, ana } = await setUp();
    let tokens = await sessions.issue(ana, 'desk-1', 'token', '10.0.0.7');
    expect(await accessOf(sessions, tokens.accessToken, 'desk-1')).toBe('ana');
    clock.advance(15 * 60_000);
    expect(await accessOf(sessions, tokens.accessToken, 'desk-1')).toBe('session_expired');
    for (let hour = 0; hour < 11; hour += 1) {
      const next = await sessions.refresh(tokens.refreshToken, 'desk-1', '10.0.0.7');
      if (!next.ok) throw new Error(`refresh ${hour} refused: ${next.reason}`);
      tokens = next.value.tokens;
      clock.advance(60 * 60_000);
    }
    // 11 h 50 min in: the last refresh's access token ends with the session, not 15 minutes later.
    clock.advance(35 * 60_000);
    const last = await sessions.refresh(tokens.refreshToken, 'desk-1', '10.0.0.7');
    if (!last.ok) throw new Error(last.reason);
    expect(last.value.tokens.accessExpiresAt).toBe(last.value.tokens.sessionExpiresAt);
    clock.advance(10 * 60_000);
    expect(await accessOf(sessions, last.value.tokens.accessToken, 'desk-1')).toBe('session_expired');
    expect(await sessions.refresh(last.value.tokens.refreshToken, 'desk-1', '10.0.0.7')).toMatchObject({ ok: false, reason: 'session_expired' });
  });

  it.each([
    ['revoked', (store: SqlRelayStore, now: number) => store.revokeAgent('ana', now)],
    ['given a new token', (store: SqlRelayStore, now: number) => store.rotateAgentToken('ana', hashAgentToken('blt_new'), now)],
  ])('end every session of an agent who is %s', async (_what, change) => {
    const { store, clock, sessions, ana } = await setUp();
    const desk = await sessions.issue(ana, 'desk-1', 'token', '10.0.0.7');
    const laptop = await sessions.issue(ana, 'laptop', 'oidc', '10.0.0.8');
    await change(store, clock.wallNow());
    expect(await sessions.refresh(desk.refreshToken, 'desk-1', '10.0.0.7')).toMatchObject({ ok: false, reason: 'session_revoked' });
    expect(await accessOf(sessions, laptop.accessToken, 'laptop')).toBe('session_revoked');
    expect(await sessions.refresh(laptop.refreshToken, 'laptop', '10.0.0.8')).toMatchObject({ ok: false, reason: 'session_revoked' });
  });

  it('end a session on logout (recorded) and tell the socket watcher why each session ended', async () => {
    const { store, clock, sessions, ana } = await setUp();
    const out = await sessions.issue(ana, 'desk-1', 'token', '10.0.0.7');
    const stale = await sessions.issue(ana, 'desk-2', 'token', '10.0.0.7');
    const live = await sessions.issue(ana, 'desk-3', 'token', '10.0.0.7');
    const familyOf = async (token: string) => {
      const r = await sessions.authenticate(token, null);
      if (!r.ok) throw new Error(r.reason);
      return r.value.familyId;
    };
    const [outId, staleId] = [await familyOf(out.accessToken), await familyOf(stale.accessToken)];
    expect(await sessions.logout(out.refreshToken, '10.0.0.7')).toEqual({ agentId: 'ana' });
    expect(await sessions.logout('bla_unknown', '10.0.0.7')).toBeNull();
    clock.advance(10 * 60_000);
    const refreshed = await sessions.refresh(live.refreshToken, 'desk-3', '10.0.0.7');
    const liveId = refreshed.ok ? await familyOf(refreshed.value.tokens.accessToken) : 'refused';
    clock.advance(6 * 60_000); // desk-2's only access token is now 16 minutes old
    expect(Object.fromEntries(await sessions.ended([outId, staleId, liveId]))).toEqual({ [outId]: 'session_revoked', [staleId]: 'session_expired' });
    expect((await store.readAudit({ agentId: 'ana', limit: 100 })).map((e) => e.action)).toContain('session.signed_out');
  });

  describe('a refresh whose answer was lost', () => {
    const reuses = async (store: SqlRelayStore) =>
      (await store.readAudit({ agentId: 'ana', limit: 100 })).filter((e) => e.action === 'session.refresh_reused').length;

    it('is retried by the same device within the grace: a working pair, the lost one revoked, nothing audited as reuse', async () => {
      const { store, clock, sessions, ana } = await setUp();
      const first = await sessions.issue(ana, 'desk-1', 'token', '10.0.0.7');
      const lost = await sessions.refresh(first.refreshToken, 'desk-1', '10.0.0.7');
      if (!lost.ok) throw new Error(lost.reason);
      expect(lost.value.retried).toBe(false);
      clock.advance(REFRESH_RETRY_GRACE_MS - 1_000);
      const retried = await sessions.refresh(first.refreshToken, 'desk-1', '10.0.0.7');
      if (!retried.ok) throw new Error(retried.reason);
      expect(retried.value.retried).toBe(true);
      expect(await accessOf(sessions, retried.value.tokens.accessToken, 'desk-1')).toBe('ana');
      expect(await accessOf(sessions, lost.value.tokens.accessToken, 'desk-1')).toBe('unknown_or_revoked');
      expect(await reuses(store)).toBe(0);
      // Rotation goes on from the retried pair; the lost refresh token, if it ever turns up, only a thief can hold.
      const next = await sessions.refresh(retried.value.tokens.refreshToken, 'desk-1', '10.0.0.7');
      expect(next).toMatchObject({ ok: true, value: { retried: false } });
      expect(await sessions.refresh(lost.value.tokens.refreshToken, 'desk-1', '192.0.2.9')).toMatchObject({ ok: false, reason: 'refresh_reused' });
      expect(await reuses(store)).toBe(1);
    });

    it('may be retried again while the answers keep getting lost, each within the grace of the attempt before', async () => {
      const { store, clock, sessions, ana } = await setUp();
      const first = await sessions.issue(ana, 'desk-1', 'token', '10.0.0.7');
      const answers = [];
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const r = await sessions.refresh(first.refreshToken, 'desk-1', '10.0.0.7');
        if (!r.ok) throw new Error(`attempt ${attempt}: ${r.reason}`);
        answers.push(r.value.tokens);
        clock.advance(REFRESH_RETRY_GRACE_MS - 1_000);
      }
      expect(await Promise.all(answers.map((t) => accessOf(sessions, t.accessToken, 'desk-1')))).toEqual(['unknown_or_revoked', 'unknown_or_revoked', 'ana']);
      expect(await reuses(store)).toBe(0);
      clock.advance(1_001); // 60 s and 1 ms after the latest attempt
      expect(await sessions.refresh(first.refreshToken, 'desk-1', '10.0.0.7')).toMatchObject({ ok: false, reason: 'refresh_reused' });
    });

    it.each([
      [
        'after its successor access token was used',
        async (s: DeviceSessions, t: { accessToken: string; refreshToken: string }) => void (await accessOf(s, t.accessToken, 'desk-1')),
      ],
      [
        'after its successor refresh token was spent',
        async (s: DeviceSessions, t: { accessToken: string; refreshToken: string }) => void (await s.refresh(t.refreshToken, 'desk-1', '10.0.0.7')),
      ],
    ])('is a reuse %s: the family ends and the reuse is recorded', async (_when, useSuccessor) => {
      const { store, sessions, ana } = await setUp();
      const first = await sessions.issue(ana, 'desk-1', 'token', '10.0.0.7');
      const successor = await sessions.refresh(first.refreshToken, 'desk-1', '10.0.0.7');
      if (!successor.ok) throw new Error(successor.reason);
      await useSuccessor(sessions, successor.value.tokens);
      expect(await sessions.refresh(first.refreshToken, 'desk-1', '10.0.0.7')).toMatchObject({ ok: false, reason: 'refresh_reused' });
      expect(await accessOf(sessions, successor.value.tokens.accessToken, 'desk-1')).toBe('session_revoked');
      expect(await reuses(store)).toBe(1);
    });

    it('is a reuse outside the grace, or from another device, even with the successor unused', async () => {
      const late = await setUp();
      const first = await late.sessions.issue(late.ana, 'desk-1', 'token', '10.0.0.7');
      const successor = await late.sessions.refresh(first.refreshToken, 'desk-1', '10.0.0.7');
      late.clock.advance(REFRESH_RETRY_GRACE_MS + 1);
      expect(await late.sessions.refresh(first.refreshToken, 'desk-1', '10.0.0.7')).toMatchObject({ ok: false, reason: 'refresh_reused' });
      expect(successor.ok && (await accessOf(late.sessions, successor.value.tokens.accessToken, 'desk-1'))).toBe('session_revoked');

      const other = await setUp();
      const mine = await other.sessions.issue(other.ana, 'desk-1', 'token', '10.0.0.7');
      expect((await other.sessions.refresh(mine.refreshToken, 'desk-1', '10.0.0.7')).ok).toBe(true);
      expect(await other.sessions.refresh(mine.refreshToken, 'desk-2', '10.0.0.8')).toMatchObject({ ok: false, reason: 'refresh_reused' });
      expect(await reuses(late.store)).toBe(1);
      expect(await reuses(other.store)).toBe(1);
    });

    it("a thief's replay within the grace takes the owner's pair, whose next refresh is then a reuse that ends the family", async () => {
      const { store, sessions, ana } = await setUp();
      const first = await sessions.issue(ana, 'desk-1', 'token', '10.0.0.7');
      const owner = await sessions.refresh(first.refreshToken, 'desk-1', '10.0.0.7');
      const thief = await sessions.refresh(first.refreshToken, 'desk-1', '192.0.2.9'); // device ids are not secret
      if (!owner.ok || !thief.ok) throw new Error('refused');
      expect(await sessions.refresh(owner.value.tokens.refreshToken, 'desk-1', '10.0.0.7')).toMatchObject({ ok: false, reason: 'refresh_reused' });
      expect(await accessOf(sessions, thief.value.tokens.accessToken, 'desk-1')).toBe('session_revoked');
      expect(await reuses(store)).toBe(1);
    });
  });
});
