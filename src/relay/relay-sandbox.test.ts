// The relay against its sandbox (fake Graph API + signed webhooks), with Meta misbehaving: nothing lost, nothing twice.
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Message, MessageStatus } from '../shared/domain';
import { RelayEvent } from '../shared/protocol-events';
import { uuidv7 } from '../shared/uuidv7';
import { startTestRelay, waitFor, type TestRelay } from './test-support/relay-harness';

const CUSTOMER = '972541234567';
let t: TestRelay | undefined;

afterEach(async () => {
  await t?.stop();
  t = undefined;
});

async function sandboxRelay(env: Record<string, string> = {}): Promise<TestRelay> {
  t = await startTestRelay({
    sandbox: true,
    env: { RELAY_RECONCILE_GRACE_MS: '300', RELAY_RETRY_BASE_MS: '50', RELAY_GRAPH_TIMEOUT_MS: '1000', ...env },
    overrides: { sandboxTiming: { statusDelayMs: 5, replyDelayMs: 20, webhookRetryMs: 20 } },
  });
  return t;
}

async function customerWrites(relay: TestRelay, text: string, from = CUSTOMER): Promise<void> {
  const res = await fetch(`${relay.relay.url}/sandbox/inbound`, { method: 'POST', body: JSON.stringify({ from, name: 'Dana Levi', text }) });
  expect(res.status).toBe(200);
}

async function queue(relay: TestRelay, body: string, waId = CUSTOMER): Promise<Message> {
  const result = await relay.relay.store.acceptSend({
    agentId: 'ana',
    params: { clientMessageId: uuidv7(), waId, content: { type: 'text', body } },
    requestHash: body,
    now: Date.now(),
    phoneNumberId: relay.config.whatsapp.phoneNumberId,
    phoneNumberOnly: false,
  });
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

async function outbound(relay: TestRelay, to = CUSTOMER): Promise<string[]> {
  const res = await fetch(`${relay.relay.url}/sandbox/outbound?to=${to}`);
  return z
    .looseObject({ messages: z.array(z.looseObject({ text: z.string().optional() })) })
    .parse(await res.json())
    .messages.map((m) => m.text ?? '');
}

async function statuses(relay: TestRelay): Promise<Map<string, MessageStatus>> {
  const latest = new Map<string, MessageStatus>();
  for (const e of await relay.relay.store.readEvents(0, 100_000)) {
    const event = RelayEvent.parse(JSON.parse(e.json));
    if (event.kind === 'message.status') latest.set(event.messageId, event.status);
  }
  return latest;
}

async function fault(relay: TestRelay, mode: string, count: number): Promise<void> {
  const res = await fetch(`${relay.relay.url}/sandbox/faults`, { method: 'POST', body: JSON.stringify({ graph: { mode, count } }) });
  expect(res.status).toBe(200);
}

describe('relay with its sandbox', () => {
  it('delivers a customer message, sends the reply to fake WhatsApp once, and brings the statuses back', async () => {
    const relay = await sandboxRelay();
    await customerWrites(relay, 'Hi, I need my statement.');
    const reply = await queue(relay, 'Sending it now.');
    await waitFor('the reply to be read', async () => ((await statuses(relay)).get(reply.id) === 'read' ? true : undefined));
    expect(await outbound(relay)).toEqual(['Sending it now.']);
    const steps = (await relay.relay.store.readEvents(0, 1000))
      .map((e) => RelayEvent.parse(JSON.parse(e.json)))
      .flatMap((e) => (e.kind === 'message.status' && e.messageId === reply.id ? [e.status] : []));
    expect(steps).toEqual(['sent', 'delivered', 'read']);
  });

  it.each([
    ['a storm of 500s', 'error500', 4],
    ['a storm of 130429 throttling', 'throttle', 4],
  ])('rides out %s and then delivers every message once, in order', async (_what, mode, count) => {
    const relay = await sandboxRelay();
    await customerWrites(relay, 'Hello');
    await fault(relay, mode, count);
    const bodies = ['first', 'second', 'third'];
    for (const body of bodies) await queue(relay, body);
    await waitFor('the queue to drain', async () => ((await relay.relay.store.pendingJobCount()) === 0 ? true : undefined), 30_000);
    expect(await outbound(relay)).toEqual(bodies);
  });

  it('does not send twice when WhatsApp accepted a message but the answer never came', async () => {
    const relay = await sandboxRelay();
    await customerWrites(relay, 'Hello');
    await fault(relay, 'accept_then_hang', 1);
    const message = await queue(relay, 'only once, please');
    // The fake Graph API recorded it and sends status webhooks carrying our message id;
    // the relay adopts the wamid from them instead of resending when its request times out.
    await waitFor('the message to be read', async () => ((await statuses(relay)).get(message.id) === 'read' ? true : undefined), 30_000);
    expect(await outbound(relay)).toEqual(['only once, please']);
    expect(await relay.relay.store.pendingJobCount()).toBe(0);
  });

  it('resends a message WhatsApp never received once the grace period passes', async () => {
    const relay = await sandboxRelay({ RELAY_RECONCILE_GRACE_MS: '200' });
    await customerWrites(relay, 'Hello');
    await fault(relay, 'hang', 1);
    await queue(relay, 'lost on the way');
    await queue(relay, 'and the next one waits its turn');
    await waitFor('both to be accepted', async () => ((await outbound(relay)).length === 2 ? true : undefined), 40_000);
    expect(await outbound(relay)).toEqual(['lost on the way', 'and the next one waits its turn']);
  });

  it('keeps per-conversation order while other conversations proceed', async () => {
    const relay = await sandboxRelay();
    const customers = ['972500000001', '972500000002', '972500000003'];
    for (const c of customers) await customerWrites(relay, 'Hello', c);
    for (let i = 0; i < 10; i++) for (const c of customers) await queue(relay, `${c}-${i}`, c);
    await waitFor('the queue to drain', async () => ((await relay.relay.store.pendingJobCount()) === 0 ? true : undefined), 30_000);
    for (const c of customers) expect(await outbound(relay, c)).toEqual(Array.from({ length: 10 }, (_, i) => `${c}-${i}`));
  });

  it('survives a restart mid-queue with the same data folder: every message once', async () => {
    const first = await sandboxRelay();
    await customerWrites(first, 'Hello');
    await fault(first, 'error500', 1_000); // nothing gets through before the restart
    for (const body of ['a', 'b', 'c']) await queue(first, body);
    const dataDir = first.dataDir;
    await first.stop();
    t = await startTestRelay({
      sandbox: true,
      dataDir,
      env: { RELAY_RECONCILE_GRACE_MS: '300', RELAY_RETRY_BASE_MS: '50', RELAY_GRAPH_TIMEOUT_MS: '1000' },
      overrides: { sandboxTiming: { statusDelayMs: 5, replyDelayMs: 20, webhookRetryMs: 20 } },
    });
    const second = t;
    await waitFor('the queue to drain after restart', async () => ((await second.relay.store.pendingJobCount()) === 0 ? true : undefined), 30_000);
    expect(await outbound(second)).toEqual(['a', 'b', 'c']);
  });
});
