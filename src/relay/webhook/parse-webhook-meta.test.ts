// Proves every delivery kind copied from Meta's documentation (test/fixtures/whatsapp/meta-*.json) reads to exactly the
// items the relay acts on, that one unreadable item never costs the others, and that future timestamps are clamped.
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseWebhook } from '../domain/parse-webhook';
import type { InboundItem, UserRef, WebhookBatch } from '../domain/webhook-types';

const FIXTURES = new URL('../../../test/fixtures/whatsapp/', import.meta.url);
const NOW = Date.UTC(2026, 7, 20);
const PNID = '106540352242922';
const SHEENA_PHONE = '16505551234';
const WAMID = 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=';
const AT = 1_739_321_024_000;
const BSUID = 'US.13491208655302741918';

function fixture(name: string): Record<string, unknown> {
  return z.record(z.string(), z.unknown()).parse(JSON.parse(readFileSync(new URL(name, FIXTURES)).toString('utf8')));
}

function parsedOk(body: unknown, now = NOW): WebhookBatch {
  const result = parseWebhook(body, { now });
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

const batchOf = (parts: Partial<WebhookBatch>): WebhookBatch => ({
  messages: [],
  revisions: [],
  statuses: [],
  accountEvents: [],
  errors: [],
  skipped: [],
  ...parts,
});
const sheena: UserRef = { waId: SHEENA_PHONE, bsuid: null, username: null, profileName: 'Sheena Nelson' };
const item = (parts: Partial<InboundItem> & Pick<InboundItem, 'content'>): InboundItem => ({
  wamid: WAMID,
  from: sheena,
  timestamp: AT,
  contextWamid: null,
  phoneNumberId: PNID,
  groupId: null,
  ...parts,
});

const EXPECTED: Record<string, WebhookBatch> = {
  'meta-text.json': batchOf({
    messages: [
      item({
        wamid: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
        timestamp: 1_749_416_383_000,
        content: { type: 'text', body: 'Does it come in another color?' },
      }),
    ],
  }),
  'meta-contacts.json': batchOf({
    messages: [
      item({
        content: {
          type: 'contacts',
          contacts: [
            {
              name: 'Barbara J. Johnson',
              organization: 'Lucky Shrub, Legal, Lead Counsel',
              phones: [{ phone: '+1 (940) 555-1234', waId: '19405551234', label: 'Home' }],
              emails: [{ email: 'bjohnson@example.com', label: 'Work' }],
              urls: [{ url: 'https://www.luckyshrub.com', label: 'Company' }],
              addresses: [{ text: '1 Hacker Way, Menlo Park, CA, 94025, United States', label: 'Home' }],
              birthday: '1999-01-23',
            },
          ],
        },
      }),
    ],
  }),
  'meta-order.json': batchOf({
    messages: [
      item({
        content: {
          type: 'order',
          catalogId: '194836987003835',
          text: 'Love these!',
          items: [{ productId: 'di9ozbzfi4', quantity: 2, unitPrice: 7.99, currency: 'USD' }],
        },
      }),
    ],
  }),
  'meta-interactive-flow.json': batchOf({
    messages: [
      item({
        // The flow_token is the business's own correlation value, not something the customer answered.
        content: {
          type: 'interactive_reply',
          kind: 'flow',
          fields: [
            { label: 'Optional param1', value: 'Herzl St. branch' },
            { label: 'Optional param2', value: '2026-05-04' },
          ],
        },
        contextWamid: 'gBGGEiRVVgBPAgm7FUgc73noXjo',
      }),
    ],
  }),
  'meta-system-user-changed-number.json': batchOf({
    messages: [
      item({
        // System notices carry no contacts array, so no profile name.
        from: { waId: SHEENA_PHONE, bsuid: null, username: null, profileName: null },
        content: { type: 'system', event: 'number_changed', text: 'User Sheena Nelson changed from 16505551234 to 12195555358', newWaId: '12195555358' },
      }),
    ],
  }),
  'meta-system-user-changed-user-id.json': batchOf({
    messages: [
      item({
        from: { waId: null, bsuid: BSUID, username: null, profileName: null },
        content: { type: 'system', event: 'user_id_changed', newBsuid: 'US.20569314877409237715' },
      }),
    ],
    accountEvents: [{ kind: 'user_id_changed', previousBsuid: BSUID, bsuid: 'US.20569314877409237715', waId: null, phoneNumberId: PNID }],
  }),
  'meta-edit.json': batchOf({
    revisions: [
      {
        wamid: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUVERjg0NDEzNDdFODU3MUMxMQA=',
        kind: 'edit',
        targetWamid: WAMID,
        content: { type: 'text', body: 'Does it come in another colour? Blue, ideally.' },
        from: sheena,
        timestamp: AT,
        phoneNumberId: PNID,
        groupId: null,
      },
    ],
  }),
  'meta-revoke.json': batchOf({
    revisions: [
      {
        wamid: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUVERjg0NDEzNDdFODU3MUMxMgA=',
        kind: 'delete',
        targetWamid: WAMID,
        content: null,
        from: sheena,
        timestamp: AT,
        phoneNumberId: PNID,
        groupId: null,
      },
    ],
  }),
  'meta-group-text.json': batchOf({
    messages: [
      item({
        content: { type: 'text', body: 'Can the branch open at 8 on Friday?' },
        groupId: 'Y2FwaV9ncm91cDoxNzA1NTU1MDEzOToxMjAzNjM0MDQ2OTQyMzM4MjAZD',
      }),
    ],
  }),
  'meta-bsuid-contact-request.json': batchOf({
    messages: [
      item({
        // No `from` and no `wa_id`: the customer is known by BSUID and username only.
        from: { waId: null, bsuid: BSUID, username: 'sheenanelson', profileName: 'Sheena Nelson' },
        content: { type: 'contacts', contacts: [{ name: 'Sheena Nelson', phones: [{ phone: '+1 650-555-1234' }], emails: [], urls: [], addresses: [] }] },
      }),
    ],
  }),
  'meta-errors-130429.json': batchOf({
    errors: [
      {
        code: 130429,
        title: 'Rate limit hit',
        details: 'Message failed to send because there were too many messages sent from this phone number in a short period of time',
        phoneNumberId: PNID,
      },
    ],
  }),
  'meta-template-status-update.json': batchOf({
    accountEvents: [{ kind: 'template_status', templateName: 'order_confirmation', language: 'en_US', status: 'APPROVED', reason: 'NONE' }],
  }),
  'meta-phone-number-quality-update.json': batchOf({
    accountEvents: [{ kind: 'quality', phoneNumber: '15550783881', event: 'UPGRADE', limit: 'TIER_10K' }],
  }),
  'meta-user-preferences.json': batchOf({
    // The page shows no timestamp on a preference, so it is dated by the delivery's arrival.
    accountEvents: [{ kind: 'marketing_preference', user: sheena, value: 'stop', timestamp: NOW, phoneNumberId: PNID }],
  }),
};

const META_FIXTURES = readdirSync(FIXTURES)
  .filter((name) => name.startsWith('meta-') && name.endsWith('.json'))
  .sort();

describe("parseWebhook: Meta's documented deliveries", () => {
  it('has an expectation for every meta-* fixture, and no stale ones', () => {
    expect(META_FIXTURES).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(META_FIXTURES)('reads %s to exactly the expected items', (name) => {
    expect(parsedOk(fixture(name))).toStrictEqual(EXPECTED[name]);
  });
});

/** A `messages` change around the given items, in Meta's shape. */
function delivery(value: Record<string, unknown>): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: [
      { id: '102290129340398', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { phone_number_id: PNID }, ...value } }] },
    ],
  };
}

const text = (id: string, body: string, extra: Record<string, unknown> = {}) => ({
  from: SHEENA_PHONE,
  id,
  timestamp: '1739321024',
  type: 'text',
  text: { body },
  ...extra,
});
const sent = (id: string, extra: Record<string, unknown> = {}) => ({ id, status: 'delivered', timestamp: '1739321030', recipient_id: SHEENA_PHONE, ...extra });

describe('parseWebhook: one bad item never costs the others', () => {
  it('keeps every other message and status of a mixed batch and lists the two it could not read', () => {
    const batch = parsedOk(
      delivery({
        contacts: [{ profile: { name: 'Sheena Nelson' }, wa_id: SHEENA_PHONE }],
        messages: [text('wamid.M1', 'first'), { from: SHEENA_PHONE, type: 'text', text: { body: 'my card number is 4580 1234' } }, text('wamid.M3', 'third')],
        statuses: [sent('wamid.S1'), sent('wamid.S2', { timestamp: 'yesterday' }), sent('wamid.S3', { status: 'read' })],
      }),
    );
    expect(batch.messages.map((m) => m.wamid)).toEqual(['wamid.M1', 'wamid.M3']);
    expect(batch.statuses.map((s) => [s.wamid, s.status])).toEqual([
      ['wamid.S1', 'delivered'],
      ['wamid.S3', 'read'],
    ]);
    expect(batch.skipped.map((s) => s.path)).toEqual(['entry[0].changes[0].value.messages[1].id', 'entry[0].changes[0].value.statuses[1].timestamp']);
    expect(JSON.stringify(batch.skipped)).not.toMatch(/4580|yesterday|16505551234/);
  });

  it('never throws and never refuses a WhatsApp delivery, whatever JSON sits inside it', () => {
    const anyJson = fc.jsonValue({ maxDepth: 4 });
    fc.assert(
      fc.property(anyJson, anyJson, anyJson, anyJson, (entry, value, messageItem, statusItem) => {
        for (const body of [
          { object: 'whatsapp_business_account', entry: [entry] },
          { object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'messages', value }] }] },
          { object: 'whatsapp_business_account', entry: [{ changes: [value, { field: 'user_preferences', value }] }] },
          delivery({ contacts: value, messages: [messageItem, text('wamid.KEPT', 'kept')], statuses: [statusItem], errors: value }),
        ]) {
          const result = parseWebhook(body, { now: NOW });
          expect(result.ok).toBe(true);
        }
        const mixed = parseWebhook(delivery({ messages: [messageItem, text('wamid.KEPT', 'kept')] }), { now: NOW });
        expect(mixed.ok && mixed.value.messages.some((m) => m.wamid === 'wamid.KEPT')).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});

describe('parseWebhook: values not to trust', () => {
  it('clamps a timestamp in the future (year 33658) to arrival plus five minutes, and leaves past ones alone', () => {
    const batch = parsedOk(
      delivery({
        messages: [text('wamid.FUTURE', 'hi', { timestamp: '999999999999' }), text('wamid.PAST', 'hi')],
        statuses: [sent('wamid.S', { timestamp: 999_999_999_999 })],
      }),
    );
    expect(batch.messages.map((m) => m.timestamp)).toEqual([NOW + 5 * 60 * 1000, AT]);
    expect(batch.statuses[0]?.timestamp).toBe(NOW + 5 * 60 * 1000);
  });

  it('shows a profile name or username dressed up with a right-to-left override as the letters it really has', () => {
    const batch = parsedOk(
      delivery({
        contacts: [{ profile: { name: '\u202Etroppus knaB', username: '\u2066bank\u200B_support\u2069' }, user_id: BSUID }],
        messages: [{ id: 'wamid.RLO', timestamp: '1739321024', type: 'text', text: { body: 'hello' } }],
      }),
    );
    expect(batch.messages[0]?.from).toStrictEqual({ waId: null, bsuid: BSUID, username: 'bank_support', profileName: 'troppus knaB' });
  });
});

describe('parseWebhook: identities and kinds not in the fixtures', () => {
  it('reads a sender named only by from_user_id, and matches its contact entry by BSUID', () => {
    const batch = parsedOk(
      delivery({
        contacts: [
          { profile: { name: 'Someone else' }, user_id: 'US.999' },
          { profile: { name: 'Dana', username: 'dana.l' }, user_id: BSUID },
        ],
        messages: [{ from: '', from_user_id: BSUID, id: 'wamid.B', timestamp: '1739321024', type: 'text', text: { body: 'hi' } }],
      }),
    );
    expect(batch.messages[0]?.from).toStrictEqual({ waId: null, bsuid: BSUID, username: 'dana.l', profileName: 'Dana' });
  });

  it('keeps a status sent to a BSUID, which has recipient_user_id instead of recipient_id (shape from the BSUID page, not in our corpus)', () => {
    const batch = parsedOk(
      delivery({
        contacts: [{ profile: { name: 'Dana', username: 'dana.l' }, user_id: BSUID }],
        statuses: [{ id: 'wamid.OUT', status: 'read', timestamp: '1739321030', recipient_user_id: BSUID }],
      }),
    );
    expect(batch.statuses[0]?.recipient).toStrictEqual({ waId: null, bsuid: BSUID, username: 'dana.l', profileName: 'Dana' });
  });

  it('reads a call-permission reply and request_welcome in words (shapes not in our corpus of Meta pages)', () => {
    const batch = parsedOk(
      delivery({
        messages: [
          text('wamid.CP', '', {
            type: 'interactive',
            interactive: {
              type: 'call_permission_reply',
              call_permission_reply: { response: 'accept', is_permanent: false, expiration_timestamp: 1739407424 },
            },
          }),
          text('wamid.W', '', { type: 'request_welcome' }),
        ],
      }),
    );
    expect(batch.messages.map((m) => m.content)).toStrictEqual([
      {
        type: 'interactive_reply',
        kind: 'call_permission',
        title: 'Call permission',
        fields: [
          { label: 'Response', value: 'Accepted' },
          { label: 'Permanent', value: 'No' },
          { label: 'Expires', value: '2025-02-13T00:43:44.000Z' },
        ],
      },
      { type: 'system', event: 'chat_opened' },
    ]);
  });

  it('turns generated Flow keys into readable labels and keeps nested answers readable', () => {
    const responseJson = JSON.stringify({
      flow_token: 'secret-token',
      screen_0_First_name_0: 'Dana',
      preferredBranch: 'Herzl',
      topics: ['loans', 'cards'],
      agreed: true,
    });
    const batch = parsedOk(
      delivery({
        messages: [
          text('wamid.F', '', {
            type: 'interactive',
            interactive: { type: 'nfm_reply', nfm_reply: { name: 'flow', body: 'Sent', response_json: responseJson } },
          }),
        ],
      }),
    );
    expect(batch.messages[0]?.content).toStrictEqual({
      type: 'interactive_reply',
      kind: 'flow',
      fields: [
        { label: 'First name', value: 'Dana' },
        { label: 'Preferred branch', value: 'Herzl' },
        { label: 'Topics', value: 'loans, cards' },
        { label: 'Agreed', value: 'true' },
      ],
    });
    expect(JSON.stringify(batch)).not.toContain('secret-token');
  });

  it('keeps an unknown message type as unsupported with its type name, and an unknown field as an account event', () => {
    const body = delivery({ messages: [text('wamid.U', '', { type: 'hologram_2031' })] });
    (body['entry'] as { changes: unknown[] }[])[0]?.changes.push({ field: 'smb_app_state_sync', value: { anything: true } });
    const batch = parsedOk(body);
    expect(batch.messages[0]?.content).toStrictEqual({ type: 'unsupported', waType: 'hologram_2031' });
    expect(batch.accountEvents).toStrictEqual([{ kind: 'account', event: 'smb_app_state_sync' }]);
  });
});
