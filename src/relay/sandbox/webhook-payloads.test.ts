// The webhooks the sandbox builds have Meta's shapes (the fixtures), and the relay's own parser reads them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseWebhook } from '../domain/parse-webhook';
import { CUSTOMER_REPLY_TEXT } from './customers';
import { planDeliveries } from './delivery-plan';
import type { LedgerEntry } from './ledger';
import { inboundTextWebhookBody, statusWebhookBody, type BusinessIdentity, type StatusEvent } from './webhook-payloads';

/** Just the statuses of a status webhook. */
const StatusBody = z.looseObject({
  entry: z.array(z.looseObject({ changes: z.array(z.looseObject({ value: z.looseObject({ statuses: z.array(z.looseObject({ status: z.string() })) }) })) })),
});

const FIXTURES = new URL('../../../test/fixtures/whatsapp/', import.meta.url);
const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));

const IDENTITY: BusinessIdentity = { businessAccountId: '102290129340398', phoneNumberId: '106540352242922', displayPhoneNumber: '15550783881' };
const WAMID = 'wamid.HBgMOTcyNTQxMjM0NTY3FQIAERgSMEM4QUZEQTZGNDYzQjA2NjE0AA==';
const AT = 1763971210_000;

/** The tree of keys and value types: two payloads "have the same shape" when these match. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(
      Object.entries(value)
        .map(([k, v]) => [k, shape(v)])
        .sort(([a], [b]) => String(a).localeCompare(String(b))),
    );
  return typeof value;
}

const statusEvent = (status: StatusEvent['status'], bizOpaque: string | null): StatusEvent => ({
  wamid: WAMID,
  status,
  timestampMs: AT,
  recipient: '972541234567',
  bizOpaque,
  conversation: { id: '8a1c0f2e5d7b4c3a9e6f1d2b3c4a5e6f', expiresAtMs: AT + 86_400_000, origin: 'service' },
  pricingCategory: 'service',
  billable: false,
});

describe('status webhooks', () => {
  it.each(['sent', 'delivered', 'read'] as const)('"%s" has the shape of status-%s.json', (status) => {
    expect(shape(JSON.parse(statusWebhookBody(IDENTITY, statusEvent(status, null))))).toEqual(shape(fixture(`status-${status}.json`)));
  });

  it('reproduces status-sent.json exactly from the same facts', () => {
    expect(JSON.parse(statusWebhookBody(IDENTITY, statusEvent('sent', null)))).toEqual(fixture('status-sent.json'));
  });

  it("carries biz_opaque_callback_data, and the relay's parser reads it back", () => {
    const parsed = parseWebhook(JSON.parse(statusWebhookBody(IDENTITY, statusEvent('delivered', 'relay-message-7'))), { now: AT });
    expect(parsed).toMatchObject({ ok: true, value: { statuses: [{ wamid: WAMID, status: 'delivered', bizOpaque: 'relay-message-7', timestamp: AT }] } });
  });
});

describe('inbound webhooks', () => {
  const event = {
    wamid: 'wamid.HBgMOTcyNTQxMjM0NTY3FQIAEhggQjA1RTc4QjU0RjA3QjM0QjE4RTU3QjM2NDcxRjdBQTAA',
    from: '972541234567',
    profileName: 'Dana Levi',
    timestampMs: 1763971200_000,
    body: 'Hi, I need a copy of my loan statement for March.',
    contextWamid: null,
  };

  it('reproduces inbound-text.json exactly from the same facts', () => {
    expect(JSON.parse(inboundTextWebhookBody(IDENTITY, event))).toEqual(fixture('inbound-text.json'));
  });

  it("quotes with context like inbound-image-reply.json, and the relay's parser reads it", () => {
    const body: unknown = JSON.parse(inboundTextWebhookBody(IDENTITY, { ...event, contextWamid: WAMID }));
    const message = (body as { entry: { changes: { value: { messages: { context: unknown }[] } }[] }[] }).entry[0]!.changes[0]!.value.messages[0]!;
    expect(message.context).toEqual({ from: '15550783881', id: WAMID });
    expect(parseWebhook(body, { now: AT })).toMatchObject({
      ok: true,
      value: { messages: [{ wamid: event.wamid, contextWamid: WAMID, from: { waId: '972541234567', profileName: 'Dana Levi' } }] },
    });
  });
});

describe('planDeliveries', () => {
  const entry = (text: string): LedgerEntry => ({ wamid: WAMID, to: '972541234567', type: 'text', text, bizOpaque: 'op', acceptedAt: AT });
  const plan = (text: string) =>
    planDeliveries({
      identity: IDENTITY,
      entry: entry(text),
      statusDelayMs: 300,
      replyDelayMs: 1500,
      conversationId: 'c',
      pricingCategory: 'service',
      customer: { waId: '972541234567', bsuid: null, username: null, name: 'Customer 4567' },
      replyWamid: 'wamid.REPLY',
    });

  it('schedules sent, delivered, read a status delay apart, all in one chain', () => {
    const deliveries = plan('Your card is ready.');
    expect(deliveries.map((d) => [d.kind, d.chain, d.delayMs])).toEqual([
      ['status', WAMID, 300],
      ['status', WAMID, 600],
      ['status', WAMID, 900],
    ]);
    expect(deliveries.map((d) => StatusBody.parse(JSON.parse(d.body)).entry[0]!.changes[0]!.value.statuses[0]!.status)).toEqual(['sent', 'delivered', 'read']);
  });

  it('adds the customer reply to a question, quoting it, after the reply delay', () => {
    const deliveries = plan('Could you send your ID?');
    expect(deliveries).toHaveLength(4);
    const reply = deliveries[3]!;
    expect([reply.kind, reply.chain, reply.delayMs]).toEqual(['inbound', WAMID, 1500]);
    expect(parseWebhook(JSON.parse(reply.body), { now: AT + 1500 })).toMatchObject({
      ok: true,
      value: {
        messages: [
          {
            wamid: 'wamid.REPLY',
            from: { waId: '972541234567', profileName: 'Customer 4567' },
            contextWamid: WAMID,
            content: { type: 'text', body: CUSTOMER_REPLY_TEXT },
          },
        ],
      },
    });
  });
});
