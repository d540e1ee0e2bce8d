// Long-poll sessions on a real relay on 127.0.0.1: ones opened and never collected are closed and freed within their
// bound, and an agent past their allowance loses their least recently used one (4009), while a well-behaved poller
// keeps receiving what customers write. Bounds are short so the run is; nothing is timed.
import { afterEach, describe, expect, it } from 'vitest';
import { generateAgentToken, hashAgentToken } from './agent-tokens';
import type { SqlRelayStore } from './store/sql-relay-store';
import { startTestRelay, waitFor, type TestRelay } from './test-support/relay-harness';
import { messageDelivery, person, text } from './webhook/delivery-kit';

let t: TestRelay | null = null;
let stopPolling = () => {};

afterEach(async () => {
  stopPolling();
  await t?.stop();
  t = null;
});

async function open(relay: TestRelay, token: string, device: string): Promise<string> {
  const res = await fetch(`${relay.relay.url}/v1/poll?v=2&device=${device}`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { sessionId: string }).sessionId;
}

interface Collected {
  status: number;
  frames?: { type: string }[];
  closed?: { code: number; reason: string };
}

async function collect(relay: TestRelay, token: string, sessionId: string): Promise<Collected> {
  const res = await fetch(`${relay.relay.url}/v1/poll/${sessionId}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, ...((await res.json()) as Omit<Collected, 'status'>) };
}

/** A poller that collects its session over and over (as a console does) and keeps every frame's text. */
function pollForever(relay: TestRelay, sessionId: string): { texts: string[]; lastClosed: () => Collected['closed'] } {
  const texts: string[] = [];
  let closed: Collected['closed'];
  let running = true;
  stopPolling = () => (running = false);
  void (async () => {
    while (running && closed === undefined) {
      const got = await collect(relay, relay.token, sessionId);
      closed = got.closed;
      for (const frame of got.frames ?? []) texts.push(JSON.stringify(frame));
    }
  })();
  return { texts, lastClosed: () => closed };
}

async function customerWrites(relay: TestRelay, words: string): Promise<void> {
  const res = await relay.postWebhook(messageDelivery(person({ waId: '972501234567' }), text(words)).body);
  expect(res.status).toBe(200);
}

describe('long-poll sessions', () => {
  it('never collected are closed and freed within their bound while a collecting poller is served', async () => {
    const relay = (t = await startTestRelay({
      // 21 devices of one agent: above the device cap's default, which poll-session freeing is not about.
      env: { RELAY_LIMIT_POLL_UNCOLLECTED_MS: '2000', RELAY_LIMIT_POLL_SESSIONS_PER_AGENT: '100', RELAY_LIMIT_DEVICES_PER_AGENT: '50' },
      overrides: { pollHoldMs: 300 },
    }));
    for (let i = 0; i < 5; i++) await customerWrites(relay, `before ${i}`);
    const abandoned: string[] = [];
    for (let i = 0; i < 20; i++) abandoned.push(await open(relay, relay.token, `abandoned-${i}`));
    const good = pollForever(relay, await open(relay, relay.token, 'good-poller'));

    const abandonedLines = () => relay.logLines.filter((line) => line.includes('"poll.abandoned"'));
    let written = 0;
    await waitFor('the abandoned sessions freed', async () => {
      const words = `during ${written++}`;
      await customerWrites(relay, words);
      await waitFor(`"${words}" at the good poller`, () => (good.texts.some((f) => f.includes(words)) ? true : undefined));
      return abandonedLines().length >= abandoned.length ? true : undefined;
    });
    expect(abandonedLines()).toHaveLength(abandoned.length);
    expect(good.lastClosed()).toBeUndefined();
    // Freed, not merely closed: nothing is left to collect.
    for (const id of abandoned.slice(0, 3)) expect((await collect(relay, relay.token, id)).status).toBe(404);
  });

  it('past the allowance per agent close the least recently collected with 4009, and the rest and other agents go on', async () => {
    const relay = (t = await startTestRelay({ env: { RELAY_LIMIT_POLL_SESSIONS_PER_AGENT: '3' }, overrides: { pollHoldMs: 300 } }));
    const bobToken = generateAgentToken();
    await (relay.relay.store as SqlRelayStore).setAgentToken('bob', 'Bob Levi', hashAgentToken(bobToken), Date.now());
    const oldest = await open(relay, relay.token, 'desk-1');
    const kept = [await open(relay, relay.token, 'desk-2'), await open(relay, relay.token, 'desk-3')];
    for (const id of kept) expect((await collect(relay, relay.token, id)).frames?.[0]?.type).toBe('hello');
    const bob = await open(relay, bobToken, 'bob-desk');
    const newest = await open(relay, relay.token, 'desk-4');

    const superseded = await collect(relay, relay.token, oldest);
    expect(superseded.closed?.code).toBe(4009);
    expect(superseded.closed?.reason).toContain('more than 3 poll sessions');
    expect((await collect(relay, relay.token, newest)).frames?.[0]?.type).toBe('hello');
    await customerWrites(relay, 'for every open session');
    for (const id of kept) {
      const got = await waitFor('the message on a kept session', async () => {
        const next = await collect(relay, relay.token, id);
        return next.closed !== undefined || JSON.stringify(next.frames).includes('for every open session') ? next : undefined;
      });
      expect(got.closed).toBeUndefined();
    }
    expect((await collect(relay, bobToken, bob)).frames?.[0]?.type).toBe('hello');
  });
});
