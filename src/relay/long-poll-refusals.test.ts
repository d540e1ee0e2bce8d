// Long-poll refusals on a real relay on 127.0.0.1: an unknown session or another agent's session is answered in the
// protocol's error shape, on a connection that stays usable, and nothing is logged as a relay failure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAgentToken, hashAgentToken } from './agent-tokens';
import type { SqlRelayStore } from './store/sql-relay-store';
import { startTestRelay, type TestRelay } from './test-support/relay-harness';

let t: TestRelay;
const bobToken = generateAgentToken();

beforeAll(async () => {
  t = await startTestRelay();
  await (t.relay.store as SqlRelayStore).setAgentToken('bob', 'Bob Levi', hashAgentToken(bobToken), Date.now());
});

afterAll(async () => {
  await t.stop();
});

async function openPoll(token: string, device: string): Promise<string> {
  const res = await fetch(`${t.relay.url}/v1/poll?v=2&device=${device}`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { sessionId: string };
  return body.sessionId;
}

const failures = () => t.logLines.filter((line) => line.includes('"http.failed"') || line.includes('ERR_HTTP_HEADERS_SENT'));

describe('long-poll refusals', () => {
  it("answer another agent's POST 403 and an unknown session's POST 404 with words, then serve the next request", async () => {
    const anaSession = await openPoll(t.token, 'ana-desk');
    const posts = [
      { session: anaSession, token: bobToken, status: 403, code: 'forbidden' },
      { session: '0190b8a0-0000-7000-8000-000000000009', token: bobToken, status: 404, code: 'not_found' },
    ];
    for (const post of posts) {
      const res = await fetch(`${t.relay.url}/v1/poll/${post.session}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${post.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ frames: [{ type: 'ping' }] }),
      });
      expect(res.status).toBe(post.status);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe(post.code);
      expect(body.error.message.length).toBeGreaterThan(0);
    }
    // Ana's own session was not disturbed by Bob's attempts: she still collects her hello.
    const own = await fetch(`${t.relay.url}/v1/poll/${anaSession}`, { headers: { authorization: `Bearer ${t.token}` } });
    expect(own.status).toBe(200);
    const frames = (await own.json()) as { frames: { type: string }[] };
    expect(frames.frames.map((f) => f.type)).toContain('hello');
    expect(failures()).toEqual([]);
  });

  it("answers another agent's GET 403 with words", async () => {
    const anaSession = await openPoll(t.token, 'ana-laptop');
    const res = await fetch(`${t.relay.url}/v1/poll/${anaSession}`, { headers: { authorization: `Bearer ${bobToken}` } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    expect(failures()).toEqual([]);
  });
});
