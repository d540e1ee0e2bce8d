// Device sessions on a real relay (127.0.0.1, real SQLite): /v1/auth/* and the access token at every door — the
// WebSocket, long polling and media — through rotation, reuse, expiry, logout, revocation and static tokens turned off.
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock, type Clock } from '../../shared/clock';
import { fail, ok } from '../../shared/errors';
import { PROTOCOL_V2 } from '../test-support/docs-client';
import { scrapeMetrics } from '../test-support/metrics-scrape';
import { startTestRelay, TEST_METRICS_TOKEN, type TestRelay } from '../test-support/relay-harness';
import type { RelayAuthParts } from './relay-auth';
import type { AuthGuardSettings } from './auth-guard';
import { SOURCE_THROTTLE } from '../domain/auth-throttle';

const relays: TestRelay[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  for (const r of relays.splice(0)) await r.stop();
});

/** A wall clock the test can move forward (sessions end by wall time) while timers run in real time. */
function shiftedClock(): Clock & { shift(ms: number): void } {
  let offset = 0;
  return { ...systemClock, wallNow: () => Date.now() + offset, shift: (ms) => void (offset += ms) };
}

async function relay(
  options: { env?: Record<string, string>; clock?: Clock; auth?: RelayAuthParts; guard?: Partial<AuthGuardSettings> } = {},
): Promise<TestRelay> {
  const started = await startTestRelay({
    env: options.env ?? {},
    overrides: {
      ...(options.clock !== undefined && { clock: options.clock }),
      ...(options.auth !== undefined && { auth: options.auth }),
      ...(options.guard !== undefined && { authGuard: options.guard }),
    },
  });
  relays.push(started);
  return started;
}

interface Tokens {
  accessToken: string;
  refreshToken: string;
  accessExpiresAt: number;
  sessionExpiresAt: number;
  agent: { id: string };
}

async function post(r: TestRelay, route: string, body: unknown, bearer?: string): Promise<{ status: number; json: unknown; headers: Headers }> {
  const res = await fetch(`${r.relay.url}/v1/auth/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(bearer !== undefined && { authorization: `Bearer ${bearer}` }) },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? null : JSON.parse(text), headers: res.headers };
}

async function signIn(r: TestRelay, deviceId: string): Promise<Tokens> {
  const answer = await post(r, 'session', { grant: 'agent_token', token: r.token, deviceId });
  expect(answer.status).toBe(200);
  return answer.json as Tokens;
}

async function refresh(r: TestRelay, refreshToken: string, deviceId: string) {
  return post(r, 'refresh', { refreshToken, deviceId });
}

type Socket = { open: true; closed: Promise<{ code: number; reason: string }> } | { open: false; code: number; reason: string };

/** A device on the WebSocket that answers pings: open once its hello came, or how it was turned away. */
function connect(r: TestRelay, token: string, device: string): Promise<Socket> {
  const ws = new WebSocket(`${r.relay.url.replace(/^http/, 'ws')}/v1/agent?device=${device}`, [PROTOCOL_V2], { headers: { authorization: `Bearer ${token}` } });
  sockets.push(ws);
  ws.on('error', () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  return new Promise((resolve) => {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type: string };
      if (frame.type === 'ping') ws.send('{"type":"pong"}');
      if (frame.type === 'hello') resolve({ open: true, closed });
    });
    void closed.then((c) => resolve({ open: false, ...c }));
  });
}

async function opened(r: TestRelay, token: string, device: string) {
  const socket = await connect(r, token, device);
  if (!socket.open) throw new Error(`socket refused: ${socket.code} ${socket.reason}`);
  return socket;
}

const pollStatus = async (r: TestRelay, token: string, device: string) =>
  (await fetch(`${r.relay.url}/v1/poll?device=${device}&v=2`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status;
/** 404 (no such media) means the token was accepted; 401 that it was not. */
const mediaStatus = async (r: TestRelay, token: string) =>
  (await fetch(`${r.relay.url}/v1/media/no-such-media`, { headers: { authorization: `Bearer ${token}` } })).status;

const audit = async (r: TestRelay) => r.relay.store.readAudit({ limit: 1000 });

describe('signing in with device sessions', () => {
  it('exchanges the agent token for a session whose access token works on the socket, polling and media, and records the sign-in', async () => {
    const r = await relay();
    const config = await (await fetch(`${r.relay.url}/v1/auth/config`)).json();
    expect(config).toEqual({ methods: ['token'], sso: null, sessionMinutes: 15, maxSessionHours: 12 });

    const tokens = await signIn(r, 'desk-1');
    expect(tokens.agent.id).toBe('ana');
    await opened(r, tokens.accessToken, 'desk-1');
    expect(await pollStatus(r, tokens.accessToken, 'desk-1')).toBe(200);
    expect(await mediaStatus(r, tokens.accessToken)).toBe(404);
    expect((await audit(r)).find((e) => e.action === 'session.signed_in')).toMatchObject({ actorId: 'ana', detail: { method: 'token', device: 'desk-1' } });
    expect(r.logLines.join('\n')).not.toContain(tokens.accessToken);
    expect(r.logLines.join('\n')).not.toContain(tokens.refreshToken);
  });

  it('answers a malformed sign-in 400 naming the field, and an oversized one 413, without signing anyone in', async () => {
    const r = await relay();
    const missing = await post(r, 'session', { grant: 'agent_token', deviceId: 'desk-1' });
    expect(missing).toMatchObject({ status: 400, json: { error: { code: 'invalid_input' } } });
    expect(JSON.stringify(missing.json)).toContain('token');
    expect((await post(r, 'refresh', { refreshToken: 'blr_x'.padEnd(9_000, 'x'), deviceId: 'desk-1' })).status).toBe(413);
    expect((await audit(r)).filter((e) => e.action === 'session.signed_in')).toHaveLength(0);
  });

  it('refuses an access token from another device on the socket and polling, and a refresh from another device', async () => {
    const r = await relay();
    const tokens = await signIn(r, 'desk-1');
    expect(await connect(r, tokens.accessToken, 'desk-2')).toMatchObject({ open: false, code: 4001 });
    expect(await pollStatus(r, tokens.accessToken, 'desk-2')).toBe(401);
    expect((await refresh(r, tokens.refreshToken, 'desk-2')).status).toBe(401);
    expect((await refresh(r, tokens.refreshToken, 'desk-1')).status).toBe(200); // the refused attempt did not spend it
  });

  it('rotates on refresh; reusing the old refresh token ends the session everywhere and is recorded', async () => {
    const r = await relay();
    const first = await signIn(r, 'desk-1');
    const rotated = await refresh(r, first.refreshToken, 'desk-1');
    expect(rotated.status).toBe(200);
    const second = rotated.json as Tokens;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    const live = await opened(r, second.accessToken, 'desk-1');

    const reused = await refresh(r, first.refreshToken, 'desk-1');
    expect(reused.status).toBe(401);
    expect(reused.json).toMatchObject({ error: { code: 'unauthorized' } });
    expect(await live.closed).toEqual({ code: 4001, reason: 'session_revoked' });
    expect((await refresh(r, second.refreshToken, 'desk-1')).status).toBe(401);
    expect(await connect(r, second.accessToken, 'desk-1')).toMatchObject({ open: false, code: 4001 });
    expect(await pollStatus(r, second.accessToken, 'desk-1')).toBe(401);
    expect(await mediaStatus(r, second.accessToken)).toBe(401);
    expect((await audit(r)).filter((e) => e.action === 'session.refresh_reused')).toHaveLength(1);
  });

  describe('a refresh whose answer was lost, presented again', () => {
    const reuses = async (r: TestRelay) => (await audit(r)).filter((e) => e.action === 'session.refresh_reused').length;

    it('within the grace from the same device: a working pair, the lost pair refused, logged as a retry and not audited as reuse', async () => {
      const clock = shiftedClock();
      const r = await relay({ clock });
      const first = await signIn(r, 'desk-1');
      const lost = (await refresh(r, first.refreshToken, 'desk-1')).json as Tokens; // the answer the console never saw
      clock.shift(30_000);
      const retried = await refresh(r, first.refreshToken, 'desk-1');
      expect(retried.status).toBe(200);
      const pair = retried.json as Tokens;
      await opened(r, pair.accessToken, 'desk-1');
      expect(await pollStatus(r, pair.accessToken, 'desk-1')).toBe(200);
      expect(await connect(r, lost.accessToken, 'desk-1')).toMatchObject({ open: false, code: 4001 });
      expect(await mediaStatus(r, lost.accessToken)).toBe(401);
      expect((await refresh(r, pair.refreshToken, 'desk-1')).status).toBe(200); // rotation goes on
      expect(await reuses(r)).toBe(0);
      const log = r.logLines.join('\n');
      expect(log).toContain('session.refresh_retried');
      for (const t of [first, lost, pair]) expect(log).not.toContain(t.refreshToken.slice(4));
    });

    it('after the pair it bought was used: reuse, the session ends everywhere and is recorded', async () => {
      const r = await relay();
      const first = await signIn(r, 'desk-1');
      const second = (await refresh(r, first.refreshToken, 'desk-1')).json as Tokens;
      const live = await opened(r, second.accessToken, 'desk-1');
      expect((await refresh(r, first.refreshToken, 'desk-1')).status).toBe(401);
      expect(await live.closed).toEqual({ code: 4001, reason: 'session_revoked' });
      expect(await reuses(r)).toBe(1);
    });

    it('outside the grace, or from another device: reuse, the unused successor stops working too', async () => {
      const clock = shiftedClock();
      const r = await relay({ clock });
      const late = await signIn(r, 'desk-1');
      const lateNext = (await refresh(r, late.refreshToken, 'desk-1')).json as Tokens;
      clock.shift(61_000);
      expect((await refresh(r, late.refreshToken, 'desk-1')).status).toBe(401);
      expect((await refresh(r, lateNext.refreshToken, 'desk-1')).status).toBe(401);

      const elsewhere = await signIn(r, 'desk-2');
      const mine = (await refresh(r, elsewhere.refreshToken, 'desk-2')).json as Tokens;
      expect((await refresh(r, elsewhere.refreshToken, 'desk-3')).status).toBe(401);
      expect(await pollStatus(r, mine.accessToken, 'desk-2')).toBe(401);
      expect(await reuses(r)).toBe(2);
    });
  });

  it('closes a socket whose access token lapsed without a refresh (session_expired) and keeps one whose session was refreshed', async () => {
    const clock = shiftedClock();
    const r = await relay({ env: { RELAY_AUTH_SESSION_MINUTES: '10' }, clock });
    const idle = await signIn(r, 'idle');
    const busy = await signIn(r, 'busy');
    const idleSocket = await opened(r, idle.accessToken, 'idle');
    const busySocket = await opened(r, busy.accessToken, 'busy');
    clock.shift(6 * 60_000);
    const refreshed = await refresh(r, busy.refreshToken, 'busy');
    expect(refreshed.status).toBe(200);
    clock.shift(5 * 60_000); // 11 minutes in: idle's only access token is 1 minute past its end, busy's has 5 left
    expect(await idleSocket.closed).toEqual({ code: 4001, reason: 'session_expired' });
    // The watch ends every lapsed session in the tick that closed idle's: busy's socket is the one device left.
    expect((await scrapeMetrics(r.relay.url, TEST_METRICS_TOKEN)).value('relay_devices_connected')).toBe(1);
    let busyClosed = false;
    void busySocket.closed.then(() => (busyClosed = true));
    expect(await mediaStatus(r, (refreshed.json as Tokens).accessToken)).toBe(404);
    expect(busyClosed).toBe(false);
  });

  it('ends a session at its absolute maximum however it was refreshed', async () => {
    const clock = shiftedClock();
    const r = await relay({ env: { RELAY_AUTH_MAX_SESSION_HOURS: '1' }, clock });
    let tokens = await signIn(r, 'desk-1');
    for (let step = 0; step < 5; step += 1) {
      clock.shift(11 * 60_000);
      const next = await refresh(r, tokens.refreshToken, 'desk-1');
      expect(next.status).toBe(200);
      tokens = next.json as Tokens;
    }
    expect(tokens.accessExpiresAt).toBe(tokens.sessionExpiresAt); // 55 minutes in: the last access ends with the session
    const socket = await opened(r, tokens.accessToken, 'desk-1');
    clock.shift(5 * 60_000);
    expect(await socket.closed).toEqual({ code: 4001, reason: 'session_expired' });
    expect((await refresh(r, tokens.refreshToken, 'desk-1')).status).toBe(401);
  });

  it('logs out: the session ends, its socket closes and its tokens stop working; recorded', async () => {
    const r = await relay();
    const tokens = await signIn(r, 'desk-1');
    const socket = await opened(r, tokens.accessToken, 'desk-1');
    expect((await post(r, 'logout', {}, tokens.accessToken)).status).toBe(204);
    expect(await socket.closed).toEqual({ code: 4001, reason: 'session_revoked' });
    expect((await refresh(r, tokens.refreshToken, 'desk-1')).status).toBe(401);
    expect((await post(r, 'logout', {}, 'bla_not-a-session')).status).toBe(401);
    expect((await audit(r)).map((e) => e.action)).toContain('session.signed_out');
  });

  it("ends a revoked agent's sessions: the socket closes 4001 and refresh is refused", async () => {
    const r = await relay();
    const tokens = await signIn(r, 'desk-1');
    const socket = await opened(r, tokens.accessToken, 'desk-1');
    expect((await r.relay.store.revokeAgent('ana', Date.now())).ok).toBe(true);
    expect(await socket.closed).toEqual({ code: 4001, reason: 'session_revoked' });
    expect((await refresh(r, tokens.refreshToken, 'desk-1')).status).toBe(401);
    expect(await mediaStatus(r, tokens.accessToken)).toBe(401);
  });
});

/** A stand-in for the bank's provider: code "good" is ana, code "stranger" someone with no agent record. */
function testOidc(): RelayAuthParts['oidc'] {
  // The relay this test started last: the ports are made before it exists.
  const r = () => relays.at(-1)!;
  const states = new Map<string, string | undefined>();
  return {
    login: {
      start: async ({ redirectUri, deviceId }) => {
        const state = `state-${states.size + 1}`;
        states.set(state, deviceId);
        return ok({ authorizationUrl: `https://login.bank.example/authorize?state=${state}&redirect_uri=${encodeURIComponent(redirectUri)}`, state });
      },
      finish: async ({ state, code, deviceId }) => {
        const started = states.get(state);
        if (!states.delete(state)) return fail('unauthorized', 'the sign-in state is unknown or was already used');
        if (started !== deviceId) return fail('unauthorized', 'the sign-in state was started on another device');
        const agentName = code === 'good' ? 'ana' : 'stranger';
        return ok({ issuer: 'https://login.bank.example', subject: `sub-${agentName}`, agentName, groups: [], displayName: null });
      },
    },
    agents: {
      resolve: async (identity) => {
        const access = await r().relay.store.agentAccess(identity.agentName);
        return access === null ? fail('forbidden', `${identity.agentName} is not a Branchline agent: ask IT to add them`) : ok(access);
      },
    },
  };
}

describe('signing in with single sign-on only (static tokens off)', () => {
  const ssoEnv = { RELAY_OIDC_ISSUER: 'https://login.bank.example', RELAY_OIDC_CLIENT_ID: 'branchline' };

  it('refuses the agent token on the socket and /v1/auth/session, while an access token from single sign-on works', async () => {
    const r = await relay({ env: ssoEnv, auth: { oidc: testOidc() } });
    expect(await (await fetch(`${r.relay.url}/v1/auth/config`)).json()).toMatchObject({ methods: ['sso'], sso: { issuer: 'https://login.bank.example' } });
    expect(await connect(r, r.token, 'desk-1')).toMatchObject({ open: false, code: 4001 });
    const refused = await post(r, 'session', { grant: 'agent_token', token: r.token, deviceId: 'desk-1' });
    expect(refused.status).toBe(403);
    expect((await audit(r)).some((e) => e.action === 'session.token_refused' && e.detail?.['reason'] === 'static_tokens_off')).toBe(true);

    expect((await post(r, 'oidc/start', { redirectUri: 'https://evil.example/callback', deviceId: 'desk-1' })).status).toBe(400);
    const start = await post(r, 'oidc/start', { redirectUri: 'http://127.0.0.1:53100/callback', deviceId: 'desk-1' });
    expect(start.status).toBe(200);
    const { state } = start.json as { state: string; authorizationUrl: string };
    const finish = await post(r, 'oidc/finish', { state, code: 'good', deviceId: 'desk-1' });
    expect(finish.status).toBe(200);
    const tokens = finish.json as Tokens;
    await opened(r, tokens.accessToken, 'desk-1');
    expect((await post(r, 'oidc/finish', { state, code: 'good', deviceId: 'desk-1' })).status).toBe(401); // one use
    expect((await audit(r)).find((e) => e.action === 'session.signed_in')).toMatchObject({ detail: { method: 'oidc', device: 'desk-1' } });
  });

  it('refuses an identity that is no agent (403), and a login finished on another device than it started on (401)', async () => {
    const r = await relay({ env: ssoEnv, auth: { oidc: testOidc() } });
    const stateOf = async () => ((await post(r, 'oidc/start', { redirectUri: 'http://[::1]:53100/cb', deviceId: 'desk-1' })).json as { state: string }).state;
    const stranger = await post(r, 'oidc/finish', { state: await stateOf(), code: 'stranger', deviceId: 'desk-1' });
    expect(stranger).toMatchObject({ status: 403, json: { error: { code: 'forbidden' } } });
    expect((await post(r, 'oidc/finish', { state: await stateOf(), code: 'good', deviceId: 'laptop' })).status).toBe(401);
    expect((await audit(r)).filter((e) => e.action === 'session.signed_in')).toHaveLength(0);
  });

  it('answers 404 for single sign-on on a relay without it, and 429 with Retry-After once the guard locks the address', async () => {
    const r = await relay({ guard: { source: { ...SOURCE_THROTTLE, freeFailures: 0, lockAfter: 1, lockoutMs: 7_000 } } });
    expect((await post(r, 'oidc/start', { redirectUri: 'http://127.0.0.1:1/cb', deviceId: 'desk-1' })).status).toBe(404);
    const wrong = await post(r, 'session', { grant: 'agent_token', token: `blt_${'x'.repeat(43)}`, deviceId: 'desk-1' });
    expect(wrong.status).toBe(401);
    // Even the right token waits now: the address is locked, the credential is not read.
    const throttled = await post(r, 'session', { grant: 'agent_token', token: r.token, deviceId: 'desk-1' });
    expect(throttled).toMatchObject({ status: 429, json: { error: { code: 'rate_limited', retryable: true } } });
    expect(throttled.headers.get('retry-after')).toBe('7');
  });
});
