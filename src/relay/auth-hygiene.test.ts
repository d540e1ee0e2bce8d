// A real relay on 127.0.0.1 against a token guesser: at each door (WebSocket upgrade, long polling, media) a thousand
// wrong tokens from one address are slowed, then answered 429 with Retry-After, in a few log lines naming the address
// and never a token; a good token from another address goes on working; a locked agent is refused from any address.
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { generateAgentToken, hashAgentToken } from './agent-tokens';
import type { ThrottleSettings } from './domain/auth-throttle';
import type { SqlRelayStore } from './store/sql-relay-store';
import { PROTOCOL_V2 } from './test-support/docs-client';
import { startTestRelay, type TestRelay } from './test-support/relay-harness';

/** The shipped shape with small numbers: delays of a few milliseconds, so the run is short and nothing is timed. */
const SOURCE: ThrottleSettings = {
  freeFailures: 3,
  lockAfter: 10,
  baseDelayMs: 1,
  maxDelayMs: 4,
  lockoutMs: 120_000,
  maxLockoutMs: 600_000,
  forgiveEveryMs: 600_000,
  pendingTtlMs: 30_000,
  maxKeys: 1_000,
};
const AGENT: ThrottleSettings = { ...SOURCE, freeFailures: 1, lockAfter: 4, lockoutMs: 60_000 };
const GUESSES = 1_000;

let t: TestRelay;
const wrongTokens: string[] = [];

beforeAll(async () => {
  t = await startTestRelay({
    env: { RELAY_TRUSTED_PROXIES: '127.0.0.1' },
    overrides: { authGuard: { source: SOURCE, agent: AGENT, recordEveryMs: 600_000 } },
  });
});

afterAll(async () => {
  await t.stop();
});

/** A fresh wrong token each time, shaped like a real one, so the log check below can look for every one of them. */
function wrongToken(): string {
  const token = `blt_${randomBytes(32).toString('base64url')}`;
  wrongTokens.push(token);
  return token;
}

interface Answer {
  status: number;
  retryAfter: string | null;
  code: string | null;
}

const ErrorBody = z.object({ error: z.object({ code: z.string() }) });

async function httpAnswer(response: Response): Promise<Answer> {
  const body = ErrorBody.safeParse(await response.json().catch(() => null));
  return { status: response.status, retryAfter: response.headers.get('retry-after'), code: body.success ? body.data.error.code : null };
}

const doors = {
  poll: async (token: string, source: string) =>
    httpAnswer(
      await fetch(`${t.relay.url}/v1/poll?v=2&device=dev-${source}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': source },
      }),
    ),
  media: async (token: string, source: string) =>
    httpAnswer(
      await fetch(`${t.relay.url}/v1/media/0190b8a0-0000-7000-8000-000000000000`, { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': source } }),
    ),
  /** An upgrade refused before it completes answers an HTTP status; one that completes is a WebSocket (101) closed with a code. */
  ws: (token: string, source: string) =>
    new Promise<Answer & { closeCode: number | null }>((resolve) => {
      const ws = new WebSocket(`${t.relay.url.replace(/^http/, 'ws')}/v1/agent?device=dev-ws`, [PROTOCOL_V2], {
        headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': source },
      });
      ws.on('error', () => {});
      ws.on('unexpected-response', (_req, res) => {
        const header = res.headers['retry-after'];
        res.resume();
        resolve({ status: res.statusCode ?? 0, retryAfter: typeof header === 'string' ? header : null, code: null, closeCode: null });
        ws.terminate();
      });
      ws.on('message', (data) => {
        // A good token reaches hello: that is all this test needs to know.
        if ((JSON.parse(data.toString()) as { type: string }).type === 'hello') ws.close();
      });
      ws.on('close', (code) => resolve({ status: 101, retryAfter: null, code: null, closeCode: code }));
    }),
};

const events = () => t.logLines.map((line) => JSON.parse(line) as Record<string, unknown>);

describe.each([
  ['ws', '203.0.113.1'],
  ['poll', '203.0.113.2'],
  ['media', '203.0.113.3'],
] as const)('a thousand wrong tokens at the %s door from %s', (door, source) => {
  it('are refused, slowed, then answered 429 with Retry-After, while a good token from another address is unaffected', async () => {
    const answers: Answer[] = [];
    for (let i = 0; i < GUESSES; i++) {
      answers.push(await doors[door](wrongToken(), source));
      // Halfway through the flood, an agent at another branch signs in as usual.
      if (i === GUESSES / 2) {
        const good = await doors[door](t.token, '198.51.100.7');
        if (door === 'ws') expect(good).toMatchObject({ status: 101, closeCode: 1005 });
        else expect(good.status).toBe(door === 'poll' ? 200 : 404);
      }
    }
    const refused = answers.filter((a) => a.status !== 429);
    const limited = answers.filter((a) => a.status === 429);
    // The token is checked only while the address is not locked out: exactly lockAfter times, each an ordinary refusal.
    expect(refused).toHaveLength(SOURCE.lockAfter);
    expect(refused.every((a) => (door === 'ws' ? 'closeCode' in a && a.closeCode === 4001 : a.status === 401))).toBe(true);
    expect(limited).toHaveLength(GUESSES - SOURCE.lockAfter);
    // Retry-After counts down the lockout (120 s here) in whole seconds.
    expect(limited.every((a) => /^\d+$/.test(a.retryAfter ?? '') && Number(a.retryAfter) >= 1 && Number(a.retryAfter) <= 120)).toBe(true);
    if (door !== 'ws') expect(limited.every((a) => a.code === 'rate_limited')).toBe(true);

    const mine = events().filter((e) => e['source'] === source);
    expect(mine.filter((e) => e['event'] === 'agent.auth_throttled').map((e) => e['state'])).toEqual(['delayed', 'locked']);
    const lines = mine.filter((e) => e['event'] === 'agent.auth_refused');
    // One line for a thousand refusals (the next carries the count), naming door and reason.
    expect(lines).toEqual([expect.objectContaining({ door, reason: 'unknown_or_revoked', level: 'warn' })]);
  });
});

describe('the poll session routes', () => {
  it('count wrong tokens on GET and POST /v1/poll/{id} against the address, then answer it 429', async () => {
    const source = '203.0.113.4';
    const statuses: number[] = [];
    for (let i = 0; i < SOURCE.lockAfter + 2; i++) {
      const init = i % 2 === 0 ? { method: 'GET' } : { method: 'POST', body: '{"frames":[]}' };
      const res = await fetch(`${t.relay.url}/v1/poll/0190b8a0-0000-7000-8000-000000000001`, {
        ...init,
        headers: { authorization: `Bearer ${wrongToken()}`, 'x-forwarded-for': source },
      });
      await res.body?.cancel();
      statuses.push(res.status);
    }
    expect(statuses).toEqual([...Array.from({ length: SOURCE.lockAfter }, () => 401), 429, 429]);
  });
});

describe('the relay log after the floods', () => {
  it('holds none of the tokens tried, nor the good one', () => {
    const log = t.logLines.join('');
    expect(wrongTokens.length).toBeGreaterThanOrEqual(3 * GUESSES);
    for (const token of [...wrongTokens, t.token]) expect(log).not.toContain(token.slice(4));
  });

  it('names the client address on the session lines of a connection that got in', () => {
    const opened = events().filter((e) => e['event'] === 'session.started' && e['source'] === '198.51.100.7');
    expect(opened.map((e) => e['transport']).sort()).toEqual(['poll', 'ws']);
    expect(events().some((e) => e['event'] === 'session.closed' && e['source'] === '198.51.100.7')).toBe(true);
  });
});

describe('an agent locked out', () => {
  it('is refused from every address, even one that never failed', async () => {
    const token = generateAgentToken();
    await (t.relay.store as SqlRelayStore).setAgentToken('bob', 'Bob Levi', hashAgentToken(token), Date.now());
    // Failures that name bob come from his device sessions (an expired access token, a reused refresh token, at the
    // /v1/auth routes): here, four of them from four branches, presented to the relay's guard as those routes do.
    for (const source of ['10.1.0.1', '10.2.0.1', '10.3.0.1', '10.4.0.1']) {
      expect(await t.relay.authGuard.admitAgent('bob', source, 'refresh')).toEqual({ ok: true });
      await t.relay.authGuard.refused(source, 'refresh', 'refresh_reused', 'bob');
    }
    // Bob's own good token is now answered 429 wherever it comes from, at every door, until the lockout ends.
    expect(await doors.poll(token, '10.5.0.1')).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(await doors.media(token, '10.6.0.1')).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(await doors.ws(token, '10.7.0.1')).toMatchObject({ status: 101, closeCode: 4008 });
    expect(
      events()
        .filter((e) => e['event'] === 'agent.auth_throttled' && e['agentId'] === 'bob')
        .map((e) => e['state']),
    ).toEqual(['delayed', 'locked']);
    const refusedBob = events().filter((e) => e['event'] === 'agent.auth_refused' && e['agentId'] === 'bob');
    expect(refusedBob.map((e) => [e['source'], e['reason']])).toContainEqual(['10.5.0.1', 'rate_limited']);
    // Ana, on an address bob's failures came from, is not bob.
    expect((await doors.poll(t.token, '10.1.0.1')).status).toBe(200);
  });
});
