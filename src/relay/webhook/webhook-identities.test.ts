// Customers as WhatsApp names them in 2026, through the real POST /webhook: BSUID-only customers, ids linked when a
// delivery brings both, records of one person merged, number and BSUID changes followed; replies addressed accordingly.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Message } from '../../shared/domain';
import { uuidv7 } from '../../shared/uuidv7';
import { statusWebhookBody } from '../sandbox/webhook-payloads';
import { RecordingProvider, startTestRelay, waitFor, type TestRelay } from '../test-support/relay-harness';
import { deviceView, messageDelivery, messagesOf, OUR_IDENTITY, OUR_NUMBER, person, relayEvents, text } from './delivery-kit';

/** A fixture of Meta's, sent now (its own timestamps are from when Meta wrote the page). */
const fixture = (name: string) =>
  readFileSync(new URL(`../../../test/fixtures/whatsapp/${name}`, import.meta.url), 'utf8').replace(
    /"timestamp": "\d+"/g,
    () => `"timestamp": "${Math.floor(Date.now() / 1000)}"`,
  );
const BSUID = 'US.13491208655302741918';
const NEXT_BSUID = 'US.20569314877409237715';
const PHONE = '16505551234';
const NEW_PHONE = '12195555358';

let t: TestRelay;
let provider: RecordingProvider;
beforeEach(async () => {
  provider = new RecordingProvider();
  t = await startTestRelay({ overrides: { provider } });
});
afterEach(() => t.stop());

async function post(body: string): Promise<void> {
  expect((await t.postWebhook(body)).status).toBe(200);
}

async function view() {
  return deviceView(await relayEvents(t.relay.store));
}

/** An agent's text into a conversation (the customer wrote within 24 hours). */
async function reply(conversationId: string, body = 'Your card is ready.'): Promise<Message> {
  const sent = await t.relay.store.acceptSend({
    agentId: 'ana',
    params: { clientMessageId: uuidv7(), conversationId, content: { type: 'text', body } },
    requestHash: body,
    now: Date.now(),
    phoneNumberId: OUR_NUMBER,
    phoneNumberOnly: false,
  });
  if (!sent.ok) throw new Error(sent.error.message);
  return sent.value;
}

describe('a customer WhatsApp knows to us by BSUID only', () => {
  it('is one conversation with the username and name, and a reply goes to the BSUID; its statuses without recipient_id apply', async () => {
    await post(messageDelivery(person({ bsuid: BSUID, username: 'danalevi' }), text('Can I raise my card limit?')).body);
    const [conversation, ...others] = (await view()).conversations.values();
    expect(others).toEqual([]);
    expect(conversation!.customer).toEqual({ waId: null, bsuid: BSUID, username: 'danalevi', name: 'Dana Levi' });

    const sent = await reply(conversation!.id);
    await waitFor('the send', () => provider.sends[0]);
    expect(provider.sends[0]!.to).toEqual({ kind: 'bsuid', bsuid: BSUID });
    await waitFor('WhatsApp to accept it', async () => ((await view()).messages.get(sent.id)?.status === 'sent' ? true : undefined));
    const status = statusWebhookBody(OUR_IDENTITY, {
      wamid: 'wamid.test-1',
      status: 'delivered',
      timestampMs: Date.now(),
      recipient: null,
      recipientUserId: BSUID,
      bizOpaque: sent.id,
      conversation: { id: 'c', expiresAtMs: Date.now(), origin: 'service' },
      pricingCategory: 'service',
      billable: false,
    });
    await post(status);
    expect((await view()).messages.get(sent.id)?.status).toBe('delivered');
  });

  it('gets the phone number when a delivery brings both, in the same conversation, and replies then go to the number', async () => {
    await post(messageDelivery(person({ bsuid: BSUID }), text('first')).body);
    await post(messageDelivery(person({ bsuid: BSUID, waId: PHONE }), text('second')).body);
    const { conversations, messages } = await view();
    expect([...conversations.values()].map((c) => c.customer)).toEqual([{ waId: PHONE, bsuid: BSUID, name: 'Dana Levi' }]);
    expect(messages.size).toBe(2);
    await reply([...conversations.keys()][0]!);
    await waitFor('the send', () => provider.sends[0]);
    expect(provider.sends[0]!.to).toEqual({ kind: 'phone', waId: PHONE });
  });

  it('known twice (an agent wrote to the number, the customer by BSUID) becomes one, in the older conversation; devices drop the other', async () => {
    const template = { type: 'template' as const, name: 'branch_follow_up', language: 'en_US', parameters: ['Dana', 'Herzl'] };
    const started = await t.relay.store.acceptSend({
      agentId: 'ana',
      params: { clientMessageId: uuidv7(), waId: PHONE, content: template },
      requestHash: 't',
      now: Date.now(),
      phoneNumberId: OUR_NUMBER,
      phoneNumberOnly: false,
    });
    if (!started.ok) throw new Error(started.error.message);
    // Webhook times are whole seconds: these come clearly after the agent's template.
    await post(messageDelivery(person({ bsuid: BSUID }), text('who is this?'), { at: Date.now() + 2_000 }).body);
    expect((await view()).conversations.size).toBe(2);

    await post(messageDelivery(person({ bsuid: BSUID, waId: PHONE }), text('ah, the bank'), { at: Date.now() + 4_000 }).body);
    const events = await relayEvents(t.relay.store);
    const removed = events.filter((e) => e.kind === 'conversation.removed');
    expect(removed).toEqual([{ kind: 'conversation.removed', conversationId: expect.any(String), mergedInto: started.value.conversationId }]);
    const after = deviceView(events);
    expect([...after.conversations.keys()]).toEqual([started.value.conversationId]);
    expect(messagesOf(after, started.value.conversationId).map((m) => (m.content.type === 'text' ? m.content.body : m.content.type))).toEqual([
      'template',
      'who is this?',
      'ah, the bank',
    ]);
    const history = await t.relay.store.history(started.value.conversationId, undefined, 10);
    expect(history.ok && history.value.items).toHaveLength(3);
  });
});

describe('a customer who changes their number', () => {
  it('keeps one conversation: the notice is shown in it, and the new number writes into it', async () => {
    await post(messageDelivery(person({ waId: PHONE, name: 'Sheena Nelson' }), text('hello')).body);
    await post(fixture('meta-system-user-changed-number.json'));
    await post(fixture('meta-system-user-changed-number.json')); // Meta repeats deliveries
    await post(messageDelivery(person({ waId: NEW_PHONE, name: 'Sheena Nelson' }), text('my new number')).body);
    const after = await view();
    expect(after.conversations.size).toBe(1);
    const [conversation] = after.conversations.values();
    expect(conversation!.customer).toEqual({ waId: NEW_PHONE, name: 'Sheena Nelson' });
    expect(messagesOf(after, conversation!.id).map((m) => m.content)).toEqual([
      { type: 'text', body: 'hello' },
      { type: 'system', event: 'number_changed', text: 'User Sheena Nelson changed from 16505551234 to 12195555358', newWaId: NEW_PHONE },
      { type: 'text', body: 'my new number' },
    ]);
  });

  it('whose new number already had a conversation: that one is merged into the old one, and devices are told', async () => {
    await post(messageDelivery(person({ waId: PHONE }), text('from the old phone'), { at: Date.now() - 60_000 }).body);
    await post(messageDelivery(person({ waId: NEW_PHONE }), text('from the new phone'), { at: Date.now() - 30_000 }).body);
    const before = await view();
    const oldId = [...before.conversations.values()].find((c) => c.customer.waId === PHONE)!.id;
    const newId = [...before.conversations.values()].find((c) => c.customer.waId === NEW_PHONE)!.id;

    await post(fixture('meta-system-user-changed-number.json'));
    const events = await relayEvents(t.relay.store);
    expect(events.filter((e) => e.kind === 'conversation.removed')).toEqual([{ kind: 'conversation.removed', conversationId: newId, mergedInto: oldId }]);
    const after = deviceView(events);
    expect([...after.conversations.keys()]).toEqual([oldId]);
    expect(after.conversations.get(oldId)!.customer.waId).toBe(NEW_PHONE);
    expect(messagesOf(after, oldId).map((m) => m.content.type)).toEqual(['text', 'text', 'system']);
  });
});

describe('a customer whose BSUID changes', () => {
  it('keeps their conversation: the next message under the new BSUID lands in it', async () => {
    await post(messageDelivery(person({ bsuid: BSUID }), text('hello')).body);
    await post(fixture('meta-system-user-changed-user-id.json'));
    await post(messageDelivery(person({ bsuid: NEXT_BSUID }), text('still me')).body);
    const after = await view();
    expect(after.conversations.size).toBe(1);
    const [conversation] = after.conversations.values();
    expect(conversation!.customer.bsuid).toBe(NEXT_BSUID);
    expect(messagesOf(after, conversation!.id).map((m) => m.content.type)).toEqual(['text', 'system', 'text']);
  });
});

describe('marketing preferences', () => {
  it('records a stop on the customer, with its time, and clears it on resume', async () => {
    await post(messageDelivery(person({ waId: PHONE }), text('hi')).body);
    const optOut = () => {
      const db = new Database(path.join(t.dataDir, 'relay.db'), { readonly: true });
      try {
        return db.prepare('SELECT marketing_opt_out_at AS at FROM customers WHERE wa_id = ?').get(PHONE);
      } finally {
        db.close();
      }
    };
    const before = Date.now();
    await post(fixture('meta-user-preferences.json'));
    expect(optOut()).toEqual({ at: expect.any(Number) });
    expect((optOut() as { at: number }).at).toBeGreaterThanOrEqual(before - 1000);
    await post(fixture('meta-user-preferences.json').toString().replace('"value": "stop"', '"value": "resume"'));
    expect(optOut()).toEqual({ at: null });
  });
});
