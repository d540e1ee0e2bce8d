// /healthz and /metrics on a real relay: liveness for anyone, the figures only for the token's holder, and figures
// that follow what the relay did (webhooks, sends, sessions, the store) without a number, id or body in them.
import { afterEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../shared/uuidv7';
import { connectWebSocket, openPollSession, PROTOCOL_V2, type Connection } from './test-support/docs-client';
import { parseExposition, scrapeMetrics } from './test-support/metrics-scrape';
import { RecordingProvider, startTestRelay, TEST_METRICS_TOKEN, waitFor, type TestRelay } from './test-support/relay-harness';
import { messageDelivery, person, text } from './webhook/delivery-kit';

const CUSTOMER = '972541234567';
const BODY = 'My card number ends in 4821, please block it';
const relays: TestRelay[] = [];
const connections: Connection[] = [];

afterEach(async () => {
  connections.splice(0).forEach((c) => c.dispose());
  await Promise.all(relays.splice(0).map((r) => r.stop()));
});

async function relay(options: Parameters<typeof startTestRelay>[0] = {}): Promise<TestRelay> {
  const started = await startTestRelay(options);
  relays.push(started);
  return started;
}

const scrape = (t: TestRelay) => scrapeMetrics(t.relay.url, TEST_METRICS_TOKEN);
const metricsWith = (t: TestRelay, authorization?: string) =>
  fetch(`${t.relay.url}/metrics`, { headers: authorization === undefined ? {} : { authorization } });

describe('/healthz', () => {
  it('answers liveness to anyone and nothing about devices, queues or the log', async () => {
    const t = await relay();
    const res = await fetch(`${t.relay.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });
});

describe('/metrics: who may read it', () => {
  it('is off, and says how to turn it on, when no token is configured', async () => {
    const t = await relay({ env: { RELAY_METRICS_TOKEN: '' } });
    const res = await metricsWith(t, `Bearer ${TEST_METRICS_TOKEN}`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'not_found', message: expect.stringContaining('RELAY_METRICS_TOKEN') } });
  });

  it('refuses a missing or wrong token with 401 through the auth guard (logged and audited, never the token), then locks the address out', async () => {
    const t = await relay({
      overrides: {
        authGuard: {
          source: {
            freeFailures: 3,
            lockAfter: 5,
            baseDelayMs: 1,
            maxDelayMs: 2,
            lockoutMs: 60_000,
            maxLockoutMs: 60_000,
            forgiveEveryMs: 60_000,
            pendingTtlMs: 30_000,
            maxKeys: 100,
          },
          recordEveryMs: 600_000,
        },
      },
    });
    const missing = await metricsWith(t);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect((await metricsWith(t, 'Bearer wrong-metrics-token-guess-0001')).status).toBe(401);
    const statuses: number[] = [];
    for (let i = 0; i < 10 && statuses.at(-1) !== 429; i++) statuses.push((await metricsWith(t, `Bearer wrong-metrics-token-guess-${i}`)).status);
    expect(statuses.at(-1)).toBe(429);
    // Locked out, the address is refused even the right token: a guesser learns nothing from hitting it.
    expect((await metricsWith(t, `Bearer ${TEST_METRICS_TOKEN}`)).status).toBe(429);

    const audit = await t.relay.store.readAudit({ limit: 50 });
    expect(audit.filter((e) => e.action === 'session.token_refused' && JSON.stringify(e.detail).includes('"door":"metrics"')).length).toBeGreaterThan(0);
    const log = t.logLines.join('');
    expect(log).toContain('"door":"metrics"');
    expect(log).not.toContain('wrong-metrics-token-guess');
  });

  it('keeps one registry per relay: two relays in one process count their own webhooks', async () => {
    const [a, b] = [await relay(), await relay()];
    await a.postWebhook(messageDelivery(person({ waId: CUSTOMER }), text('hello')).body);
    expect((await scrape(a)).value('relay_webhook_deliveries_total', { outcome: 'accepted' })).toBe(1);
    expect((await scrape(b)).value('relay_webhook_deliveries_total', { outcome: 'accepted' })).toBe(0);
  });
});

describe('/metrics: what it shows', () => {
  it('follows webhooks, sends, the queue, the log, sessions and the store, and holds no number, id or body', async () => {
    const provider = new RecordingProvider();
    const t = await relay({ overrides: { provider } });
    const before = await scrape(t);
    expect(before.text).toMatch(/^relay_info\{version="[\d.]+"\} 1$/m);
    expect(before.value('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(before.value('relay_outbound_queue_depth')).toBe(0);

    expect((await t.postWebhook(messageDelivery(person({ waId: CUSTOMER, name: 'Dana Levi' }), text(BODY)).body)).status).toBe(200);
    expect((await t.postWebhook('{"entry":[]}', 'sha256=00')).status).toBe(401);

    const ws = connectWebSocket({ baseUrl: t.relay.url, token: t.token, device: 'desk-ws', protocols: [PROTOCOL_V2] });
    connections.push(ws);
    await ws.hello();
    const poll = await openPollSession({ baseUrl: t.relay.url, token: t.token, device: 'desk-poll' });
    connections.push(poll);
    await poll.hello();
    const page = await ws.call<{ conversations: { id: string }[] }>('conversations.list', {});
    await ws.call('messages.send', { clientMessageId: uuidv7(), conversationId: page.conversations[0]!.id, content: { type: 'text', body: 'We blocked it' } });
    await waitFor('the send to reach WhatsApp', () => (provider.sends.length === 1 ? true : undefined));

    const after = await waitFor('the send counted', async () => {
      const s = await scrape(t);
      return s.value('relay_whatsapp_sends_total', { outcome: 'sent' }) === 1 ? s : undefined;
    });
    expect(after.value('relay_webhook_deliveries_total', { outcome: 'accepted' })).toBe(1);
    expect(after.value('relay_webhook_deliveries_total', { outcome: 'refused' })).toBe(1);
    expect(after.value('relay_webhook_items_total', { outcome: 'accepted' })).toBe(1);
    expect(after.value('relay_graph_request_duration_seconds_count', { operation: 'send_message' })).toBe(1);
    expect(after.value('relay_event_log_head')).toBe(await t.relay.store.head());
    expect(after.value('relay_sessions', { transport: 'ws', protocol: '2' })).toBe(1);
    expect(after.value('relay_sessions', { transport: 'poll', protocol: '1' })).toBe(1);
    expect(after.value('relay_devices_connected')).toBe(2);
    expect(after.value('relay_store_call_duration_seconds_count', { method: 'recordWebhook' })).toBe(1);
    expect(after.value('relay_store_call_failures_total', { method: 'recordWebhook' })).toBeUndefined();
    for (const secret of [CUSTOMER, 'Dana Levi', '4821', 'We blocked it', t.token, page.conversations[0]!.id]) expect(after.text).not.toContain(secret);

    await ws.close();
    const closed = await waitFor('the closed session uncounted', async () => {
      const s = await scrape(t);
      return s.value('relay_sessions', { transport: 'ws', protocol: '2' }) === 0 ? s : undefined;
    });
    expect(closed.value('relay_devices_connected')).toBe(1);
  });

  it('counts a send Meta refuses for good as failed and one to try again as retried', async () => {
    const provider = new RecordingProvider();
    provider.willAnswer(
      { kind: 'retry', reason: 'server_error', ambiguous: false, retryAfterMs: 10 },
      { kind: 'failed', failure: { code: 'undeliverable', message: 'not a WhatsApp user', metaCode: 131026 } },
    );
    const t = await relay({ overrides: { provider }, env: { RELAY_RETRY_BASE_MS: '10' } });
    await t.postWebhook(messageDelivery(person({ waId: CUSTOMER }), text('hi')).body);
    const ws = connectWebSocket({ baseUrl: t.relay.url, token: t.token, device: 'desk', protocols: [PROTOCOL_V2] });
    connections.push(ws);
    await ws.hello();
    const page = await ws.call<{ conversations: { id: string }[] }>('conversations.list', {});
    await ws.call('messages.send', { clientMessageId: uuidv7(), conversationId: page.conversations[0]!.id, content: { type: 'text', body: 'hello' } });
    const s = await waitFor('both outcomes counted', async () => {
      const now = await scrape(t);
      return now.value('relay_whatsapp_sends_total', { outcome: 'failed' }) === 1 ? now : undefined;
    });
    expect(s.value('relay_whatsapp_sends_total', { outcome: 'retried' })).toBe(1);
    expect(s.value('relay_whatsapp_sends_total', { outcome: 'sent' })).toBeUndefined();
    expect(s.value('relay_outbound_queue_depth')).toBe(0);
  });
});

describe('parseExposition', () => {
  it('reads samples by name and exact labels, whatever their order', () => {
    const s = parseExposition('# HELP x y\nx_total{b="2",a="1"} 3\ny 4.5\n');
    expect(s.value('x_total', { a: '1', b: '2' })).toBe(3);
    expect(s.value('x_total', { a: '1' })).toBeUndefined();
    expect(s.value('y')).toBe(4.5);
  });
});
