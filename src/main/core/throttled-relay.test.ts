// A throttled relay, for real (in-process relay on 127.0.0.1 with a small sign-in throttle, a TCP proxy to cut the
// console's link): its 429 on the WebSocket upgrade is waited out on the WebSocket — not taken for a proxy blocking
// WebSocket (no long-polling fallback), not a refused token (the session is kept) — and the status bar says so.
import { afterEach, describe, expect, it } from 'vitest';
import type { RelayOverrides } from '../../relay/relay-server';
import { startTestRelay, waitFor } from '../../relay/test-support/relay-harness';
import { startRelayConsole } from './test-support/relay-console';
import { startTcpProxy } from './test-support/tcp-proxy';

const LOCK_MS = 3_000;
type ThrottleSettings = NonNullable<NonNullable<RelayOverrides['authGuard']>['source']>;
// One free refusal, locked at the third, for three seconds: small enough for a test, the same rules as production.
const SOURCE: ThrottleSettings = {
  freeFailures: 1,
  lockAfter: 3,
  baseDelayMs: 10,
  maxDelayMs: 20,
  lockoutMs: LOCK_MS,
  maxLockoutMs: LOCK_MS,
  forgiveEveryMs: 600_000,
  pendingTtlMs: 30_000,
  maxKeys: 1_000,
};

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The relay (throttle locking for `lockMs`), a proxy in front of it, and a signed-in console going through the proxy. */
async function signedInConsole(lockMs: number, env: Record<string, string> = {}) {
  const source = { ...SOURCE, lockoutMs: lockMs, maxLockoutMs: lockMs };
  const r = await startTestRelay({ sandbox: true, env, overrides: { authGuard: { source, recordEveryMs: 600_000 } } });
  cleanups.push(() => r.stop());
  const proxy = await startTcpProxy({ targetPort: r.relay.port });
  cleanups.push(() => proxy.close());
  const { core, tokens, logs } = await startRelayConsole(cleanups, 'throttled');
  const signedIn = await core.service.call('session.signIn', { relayUrl: proxy.url, token: r.token });
  expect(signedIn).toMatchObject({ ok: true, value: { signedIn: true } });
  const events = (name: string) => logs.filter((l) => l.event === name);
  return { r, proxy, core, tokens, events };
}

/** Someone on the same address (a branch behind one NAT) tries wrong tokens until the address is locked. */
async function lockTheAddress(relayUrl: string): Promise<void> {
  let answer: Response | null = null;
  for (let i = 0; i < SOURCE.lockAfter + 1; i++) {
    answer = await fetch(`${relayUrl}/v1/auth/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant: 'agent_token', token: `blt_wrong_${i}_0123456789abcdef`, deviceId: 'other' }),
    });
  }
  expect(answer?.status).toBe(429);
}

describe('a relay that throttles the console’s address', () => {
  it('waits at least Retry-After on the WebSocket, keeps the session, and is live again afterwards', async () => {
    const { r, proxy, core, tokens, events } = await signedInConsole(LOCK_MS);
    const refreshToken = await tokens.load();
    await lockTheAddress(r.relay.url);

    // The console's link drops; its reconnect is answered 429 on the upgrade.
    proxy.dropAll();
    const throttled = await waitFor('the rate_limited state', () => {
      const state = core.connectionState();
      return state.detail?.code === 'rate_limited' ? { state, at: Date.now() } : undefined;
    });
    expect(throttled.state.status).toBe('reconnecting');
    const seconds = Number(throttled.state.detail!.params['seconds']);
    // The relay's Retry-After (at most the 3 s lock), not the console's default of 5 s for a 429 without one.
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(LOCK_MS / 1000);
    expect(throttled.state.nextAttemptAt! - throttled.at).toBeGreaterThanOrEqual(seconds * 1000 - 1_000);
    // Not "WebSocket blocked" (no long polling), not a refused token (the session and its refresh token are kept).
    expect(events('relay.polling_fallback')).toEqual([]);
    expect(await core.service.call('session.get', {})).toMatchObject({ ok: true, value: { signedIn: true, signInAgain: false } });
    expect(await tokens.load()).toBe(refreshToken);

    // Once the lock has lapsed the same WebSocket session is live again, with no sign-in.
    await waitFor('live again', () => (core.connectionState().status === 'live' ? true : undefined), 20_000);
    expect(events('relay.polling_fallback')).toEqual([]);
    expect(events('session.sign_in_again')).toEqual([]);
  }, 40_000);

  it('a refresh answered 429 is tried again no sooner than Retry-After, and the session survives its access token expiring meanwhile', async () => {
    // Access tokens of 6 s (refreshed at 5 s), the address locked for 10 s: the refresh falls into the lock.
    const { r, core, events } = await signedInConsole(10_000, { RELAY_AUTH_SESSION_MINUTES: '0.1' });
    await lockTheAddress(r.relay.url);
    const deferred = await waitFor('a deferred refresh', () => events('session.refresh_deferred')[0], 15_000);
    expect(deferred.fields['code']).toBe('rate_limited');
    // The relay asked for the rest of its lock (several seconds); the console's own first retry would be 2 s.
    expect(Number(deferred.fields['delayMs'])).toBeGreaterThan(2_000);
    await waitFor('a refresh after the lock', () => (events('session.refreshed').length > 0 ? true : undefined), 20_000);
    await waitFor('live again', () => (core.connectionState().status === 'live' ? true : undefined), 20_000);
    // The access token expired during the lock (4001 session_expired): that refusal did not ask the relay again early.
    expect(events('relay.gave_up').length).toBeGreaterThanOrEqual(1);
    expect(events('session.refresh_deferred')).toHaveLength(1);
    expect(events('session.sign_in_again')).toEqual([]);
    expect(await core.service.call('session.get', {})).toMatchObject({ ok: true, value: { signedIn: true, signInAgain: false } });
  }, 60_000);
});
