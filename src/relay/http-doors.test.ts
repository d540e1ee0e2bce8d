// The limits at the doors on a real relay on 127.0.0.1, each against the attack it answers: connections that drip their
// headers or bodies, one address holding many connections (directly or behind the bank's proxy), the process full.
// Meanwhile a well-behaved console and webhook go on being served. Limits are short so the run is; nothing is timed.
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { PROTOCOL_V2 } from './test-support/docs-client';
import { signBody, startTestRelay, waitFor, type TestRelay } from './test-support/relay-harness';
import { postHead, rawClient, statusOf, type RawClient } from './test-support/rogue-clients';
import { messageDelivery, person, text } from './webhook/delivery-kit';

let t: TestRelay | null = null;
const rogues: RawClient[] = [];

afterEach(async () => {
  for (const rogue of rogues.splice(0)) rogue.close();
  await t?.stop();
  t = null;
});

async function relayWith(limits: Record<string, string>, pollHoldMs?: number): Promise<TestRelay> {
  t = await startTestRelay({ env: limits, ...(pollHoldMs !== undefined && { overrides: { pollHoldMs } }) });
  return t;
}

/** A console on the WebSocket that keeps every frame it receives. */
async function consoleOn(relay: TestRelay): Promise<{ ws: WebSocket; frames: string[] }> {
  const ws = new WebSocket(`${relay.relay.url.replace('http', 'ws')}/v1/agent?device=good-console`, [PROTOCOL_V2], {
    headers: { authorization: `Bearer ${relay.token}` },
  });
  const frames: string[] = [];
  ws.on('message', (data) => frames.push(data.toString()));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return { ws, frames };
}

/** Rogue connections from `address`, each started with `start` (headers, a first byte …). */
async function rogueConnections(relay: TestRelay, count: number, address: string, start: (rogue: RawClient) => void): Promise<RawClient[]> {
  const made: RawClient[] = [];
  for (let i = 0; i < count; i++) {
    const rogue = await rawClient(relay.relay.port, address);
    rogues.push(rogue);
    made.push(rogue);
    start(rogue);
  }
  return made;
}

/** Drips a webhook-sized body one byte every 300 ms: it would take 5 minutes to arrive. */
const dripBody =
  (headers: Record<string, string> = {}) =>
  (rogue: RawClient) => {
    rogue.write(postHead('/webhook', 1_000, headers));
    rogue.drip('x'.repeat(1_000), 300);
  };

/** Posts customer messages and checks each was taken (200) and reached the console. */
async function servedWebhooks(relay: TestRelay, frames: string[], count: number, headers: Record<string, string> = {}): Promise<void> {
  for (let i = 0; i < count; i++) {
    const words = `still served ${i} ${Math.random()}`;
    const { body } = messageDelivery(person({ waId: '972501234567' }), text(words));
    const res = await fetch(`${relay.relay.url}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body), ...headers },
      body,
    });
    expect(res.status).toBe(200);
    await waitFor(`message ${i} on the console`, () => (frames.some((f) => f.includes(words)) ? true : undefined));
  }
}

describe('slow clients', () => {
  it('bodies and headers that drip are cut off with 408 while the console, webhooks and a long poll are served', async () => {
    const relay = await relayWith({ RELAY_LIMIT_BODY_TIMEOUT_MS: '1500', RELAY_LIMIT_HEADERS_TIMEOUT_MS: '1500' }, 2_500);
    const console1 = await consoleOn(relay);
    const bodies = await rogueConnections(relay, 40, '127.0.0.2', dripBody());
    const heads = await rogueConnections(relay, 10, '127.0.0.2', (rogue) =>
      rogue.drip('POST /webhook HTTP/1.1\r\nHost: relay\r\nX-Slow: ' + 'y'.repeat(500), 100),
    );

    await servedWebhooks(relay, console1.frames, 5);
    // The long-poll wait outlasts the body deadline by design, and is not cut by it.
    const poll = await fetch(`${relay.relay.url}/v1/poll?v=2&device=good-poller`, { method: 'POST', headers: { authorization: `Bearer ${relay.token}` } });
    const { sessionId } = (await poll.json()) as { sessionId: string };
    const authorization = `Bearer ${relay.token}`;
    expect((await fetch(`${relay.relay.url}/v1/poll/${sessionId}`, { headers: { authorization } })).status).toBe(200); // its hello
    expect((await fetch(`${relay.relay.url}/v1/poll/${sessionId}`, { headers: { authorization } })).status).toBe(200); // the full wait

    const bodyAnswers = await Promise.all(bodies.map((rogue) => rogue.answer));
    for (const answer of bodyAnswers) {
      expect(statusOf(answer)).toBe(408);
      expect(answer).toContain('"code":"timeout"');
    }
    for (const answer of await Promise.all(heads.map((rogue) => rogue.answer))) {
      expect(statusOf(answer)).toBe(408);
      expect(answer).toContain('the request headers did not arrive');
    }
    // Headers that are not HTTP get words too, where Node's own answer had none.
    const [garbled] = await rogueConnections(relay, 1, '127.0.0.3', (rogue) => rogue.write('GET / HTTP/1.1\r\nno colon here\r\n\r\n'));
    const garbledAnswer = await garbled!.answer;
    expect(statusOf(garbledAnswer)).toBe(400);
    expect(garbledAnswer).toContain('"code":"invalid_input"');
    expect(console1.ws.readyState).toBe(WebSocket.OPEN); // a WebSocket has no body deadline: its heartbeats govern it
    expect(relay.logLines.filter((line) => line.includes('"level":"error"'))).toEqual([]);
    console1.ws.close();
  });
});

describe('media uploads', () => {
  it('get time in proportion to their size: a slow upload within it is taken, one dripping past it is cut off', async () => {
    const relay = await relayWith({ RELAY_LIMIT_BODY_TIMEOUT_MS: '1000', RELAY_LIMIT_UPLOAD_MIN_BYTES_PER_SECOND: '1024' });
    const head = (bytes: number) =>
      postHead('/v1/media', bytes, { Authorization: `Bearer ${relay.token}`, 'Content-Type': 'application/pdf', Connection: 'close' });
    // 2 KiB in four pieces 400 ms apart: longer than the 1 s a webhook gets, well within 1 s + 2 s.
    const [steady] = await rogueConnections(relay, 1, '127.0.0.2', (client) => client.write(head(2_048)));
    for (let i = 0; i < 4; i++) {
      await new Promise((resolve) => setTimeout(resolve, 400));
      steady!.write((i === 0 ? '%PDF-1.4\n' : '').padEnd(512, '%'));
    }
    const steadyAnswer = await steady!.answer;
    expect(statusOf(steadyAnswer)).toBe(201);
    expect(steadyAnswer).toContain('"size":2048');

    // 1 KiB a byte every 100 ms would take 100 s; it gets 1 s + 1 s.
    const [dripping] = await rogueConnections(relay, 1, '127.0.0.2', (client) => {
      client.write(head(1_024));
      client.drip('%'.repeat(1_024), 100);
    });
    const drippingAnswer = await dripping!.answer;
    expect(statusOf(drippingAnswer)).toBe(408);
    expect(drippingAnswer).toContain('"code":"timeout"');
  });
});

describe('connections per address', () => {
  it('refuses an address past its cap with 429 and words, while other addresses are served', async () => {
    const relay = await relayWith({ RELAY_LIMIT_CONNECTIONS_PER_ADDRESS: '5', RELAY_LIMIT_BODY_TIMEOUT_MS: '60000' });
    const console1 = await consoleOn(relay);
    const holders = await rogueConnections(relay, 5, '127.0.0.2', dripBody());
    const [extra] = await rogueConnections(relay, 1, '127.0.0.2', (rogue) => rogue.write('GET /healthz HTTP/1.1\r\nHost: relay\r\n\r\n'));
    const extraAnswer = await extra!.answer;
    expect(statusOf(extraAnswer)).toBe(429);
    expect(extraAnswer).toContain('"code":"rate_limited"');
    expect(extraAnswer.toLowerCase()).toContain('retry-after: 5');
    const [upgrade] = await rogueConnections(relay, 1, '127.0.0.2', (rogue) =>
      rogue.write(
        'GET /v1/agent HTTP/1.1\r\nHost: relay\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      ),
    );
    expect(statusOf(await upgrade!.answer)).toBe(429);

    await servedWebhooks(relay, console1.frames, 3);
    // Once the holders let go, the address is served again.
    for (const holder of holders) holder.close();
    const again = await waitFor('the address served again', async () => {
      const [probe] = await rogueConnections(relay, 1, '127.0.0.2', (rogue) =>
        rogue.write('GET /healthz HTTP/1.1\r\nHost: relay\r\nConnection: close\r\n\r\n'),
      );
      const status = statusOf(await probe!.answer);
      return status === 200 ? status : undefined;
    });
    expect(again).toBe(200);
    console1.ws.close();
  });

  it('behind a trusted proxy counts requests per forwarded client, so one client cannot fill the proxy’s share', async () => {
    const relay = await relayWith({ RELAY_TRUSTED_PROXIES: '127.0.0.1', RELAY_LIMIT_CONNECTIONS_PER_ADDRESS: '3', RELAY_LIMIT_BODY_TIMEOUT_MS: '60000' });
    const console1 = await consoleOn(relay);
    await rogueConnections(relay, 3, '127.0.0.1', dripBody({ 'X-Forwarded-For': '203.0.113.9' }));
    // One more, dripping too: refused, and its connection closed rather than left to drip.
    const [extra] = await rogueConnections(relay, 1, '127.0.0.1', dripBody({ 'X-Forwarded-For': '203.0.113.9' }));
    const answer = await extra!.answer;
    expect(statusOf(answer)).toBe(429);
    expect(answer).toContain('too many connections from this address');

    // Every other client behind the same proxy, and the proxy itself, are served.
    await servedWebhooks(relay, console1.frames, 3, { 'x-forwarded-for': '198.51.100.7' });
    expect((await fetch(`${relay.relay.url}/healthz`, { headers: { 'x-forwarded-for': '198.51.100.8' } })).status).toBe(200);
    expect((await fetch(`${relay.relay.url}/healthz`)).status).toBe(200);
    console1.ws.close();
  });
});

describe('connections in all', () => {
  it('past the cap answers 503 with words, and serves again once the slow clients are cut off', async () => {
    const relay = await relayWith({ RELAY_LIMIT_CONNECTIONS: '8', RELAY_LIMIT_BODY_TIMEOUT_MS: '1500' });
    const drippers = await rogueConnections(relay, 8, '127.0.0.2', dripBody());
    const [late] = await rogueConnections(relay, 1, '127.0.0.1', (rogue) => rogue.write('GET /healthz HTTP/1.1\r\nHost: relay\r\n\r\n'));
    const lateAnswer = await late!.answer;
    expect(statusOf(lateAnswer)).toBe(503);
    expect(lateAnswer).toContain('"code":"unavailable"');

    for (const answer of await Promise.all(drippers.map((rogue) => rogue.answer))) expect(statusOf(answer)).toBe(408);
    const served = await waitFor('served once the drippers are gone', async () => {
      const res = await fetch(`${relay.relay.url}/healthz`, { headers: { connection: 'close' } });
      await res.body?.cancel();
      return res.status === 200 ? true : undefined;
    });
    expect(served).toBe(true);
  });
});
