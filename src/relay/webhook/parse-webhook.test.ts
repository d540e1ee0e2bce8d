// Proves parseWebhook reads Meta's real payload shapes into the relay's items, skips broken items without losing the rest, and never throws.
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MAX_INBOUND_TEXT_LENGTH, parseWebhook } from '../domain/parse-webhook';
import type { InboundItem, StatusItem, UserRef, WebhookBatch } from '../domain/webhook-types';

const FIXTURES = new URL('../../../test/fixtures/whatsapp/', import.meta.url);
/** When the deliveries arrive: after every fixture's timestamps, so none is clamped here. */
const NOW = Date.UTC(2026, 5, 1);
const PHONE_NUMBER_ID = '106540352242922';
const DANA = '972541234567';
const YOSSI = '972501112233';
const OMAR = '972529876543';

/** Read the bytes as they are, then parse: the same route the relay takes after the signature check. */
function fixture(name: string): Record<string, unknown> {
  return z.record(z.string(), z.unknown()).parse(JSON.parse(readFileSync(new URL(name, FIXTURES)).toString('utf8')));
}

function parsedOk(body: unknown): WebhookBatch {
  const result = parseWebhook(body, { now: NOW });
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

function refusal(body: unknown): string {
  const result = parseWebhook(body, { now: NOW });
  if (result.ok) throw new Error('expected the delivery to be refused');
  expect(result.error.code).toBe('invalid_input');
  expect(result.error.retryable).toBe(false);
  return result.error.message;
}

/** A one-message, one-change delivery in Meta's shape, around whatever message or status a test needs. */
function delivery(value: { messages?: unknown[]; statuses?: unknown[]; contacts?: unknown }): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID },
              contacts: value.contacts ?? [{ profile: { name: 'Dana Levi' }, wa_id: DANA }],
              ...(value.messages !== undefined && { messages: value.messages }),
              ...(value.statuses !== undefined && { statuses: value.statuses }),
            },
          },
        ],
      },
    ],
  };
}

function message(type: string, content: Record<string, unknown>): Record<string, unknown> {
  return { from: DANA, id: 'wamid.TEST-1', timestamp: '1763971200', type, ...content };
}

function onlyMessage(body: unknown): InboundItem {
  const batch = parsedOk(body);
  expect(batch.messages).toHaveLength(1);
  expect(batch.statuses).toHaveLength(0);
  const [item] = batch.messages;
  if (item === undefined) throw new Error('unreachable');
  return item;
}

function onlyContent(type: string, content: Record<string, unknown>): InboundItem['content'] {
  return onlyMessage(delivery({ messages: [message(type, content)] })).content;
}

function status(overrides: Record<string, unknown>): Record<string, unknown> {
  return { id: 'wamid.OUT-1', status: 'delivered', timestamp: '1763971212', recipient_id: DANA, ...overrides };
}

function onlyStatus(statusObject: Record<string, unknown>): StatusItem {
  const batch = parsedOk(delivery({ statuses: [statusObject] }));
  expect(batch.messages).toHaveLength(0);
  expect(batch.statuses).toHaveLength(1);
  const [item] = batch.statuses;
  if (item === undefined) throw new Error('unreachable');
  return item;
}

/** A customer known by phone number, as a delivery's `contacts` names them. */
const user = (waId: string, profileName: string | null = null): UserRef => ({ waId, bsuid: null, username: null, profileName });

/** A batch with only these messages and statuses: nothing skipped, no other kind of item. */
const batchOf = (parts: Partial<WebhookBatch>): WebhookBatch => ({
  messages: [],
  revisions: [],
  statuses: [],
  accountEvents: [],
  errors: [],
  skipped: [],
  ...parts,
});

const inbound = (
  item: Omit<InboundItem, 'phoneNumberId' | 'contextWamid' | 'from' | 'groupId'> & { contextWamid?: string; from: string; profileName: string },
): InboundItem => {
  const { from, profileName, ...rest } = item;
  return { contextWamid: null, phoneNumberId: PHONE_NUMBER_ID, groupId: null, ...rest, from: user(from, profileName) };
};

const outboundWamid = 'wamid.HBgMOTcyNTQxMjM0NTY3FQIAERgSMEM4QUZEQTZGNDYzQjA2NjE0AA==';
const statusOf = (item: Omit<StatusItem, 'phoneNumberId' | 'bizOpaque' | 'failure' | 'recipient'> & Partial<Pick<StatusItem, 'failure'>>): StatusItem => ({
  recipient: user(DANA),
  failure: null,
  bizOpaque: null,
  phoneNumberId: PHONE_NUMBER_ID,
  ...item,
});

/** What every inbound-* and status-* fixture must parse to, item for item. */
const EXPECTED: Record<string, WebhookBatch> = {
  'inbound-text.json': batchOf({
    messages: [
      inbound({
        wamid: 'wamid.HBgMOTcyNTQxMjM0NTY3FQIAEhggQjA1RTc4QjU0RjA3QjM0QjE4RTU3QjM2NDcxRjdBQTAA',
        from: DANA,
        profileName: 'Dana Levi',
        timestamp: 1_763_971_200_000,
        content: { type: 'text', body: 'Hi, I need a copy of my loan statement for March.' },
      }),
    ],
  }),
  'inbound-document.json': batchOf({
    messages: [
      inbound({
        wamid: 'wamid.HBgMOTcyNTQxMjM0NTY3FQIAEhggRDdBMzQ1Rjk5QjJBNEM0RkI1ODMwNjk0QjE0RTcyRjAA',
        from: DANA,
        profileName: 'Dana Levi',
        timestamp: 1_763_971_260_000,
        content: {
          type: 'document',
          waMediaId: '1503221694512345',
          mimeType: 'application/pdf',
          fileName: 'form-1043.pdf',
          caption: 'Signed form',
          sha256: 'fV2sTXmIbHUHkK2yM9H4c8Gd0n2hqQ8l8kq0y7o3E5w=',
        },
      }),
    ],
  }),
  'inbound-image-reply.json': batchOf({
    messages: [
      inbound({
        wamid: 'wamid.HBgMOTcyNTI5ODc2NTQzFQIAEhggOTk1QjdGMjA2RjE0QjI3RkUzNzM4NUQ1RjZCQjE5QjEA',
        from: OMAR,
        profileName: 'Omar Haddad',
        timestamp: 1_763_971_321_000,
        content: {
          type: 'image',
          waMediaId: '2754859441498128',
          mimeType: 'image/jpeg',
          caption: 'Here is my ID',
          sha256: '3kT8Qq0a1mQ7b7e0hJ0m4s2u9r3Zc0bWQ2y8m3pD1tE=',
        },
        contextWamid: 'wamid.HBgMOTcyNTI5ODc2NTQzFQIAERgSQzNBQjU1RDY3QkI1OTk4RjQ2AA==',
      }),
    ],
  }),
  'inbound-batch-two-entries.json': batchOf({
    messages: [
      inbound({
        wamid: 'wamid.BATCH-A-1',
        from: DANA,
        profileName: 'Dana Levi',
        timestamp: 1_763_971_400_000,
        content: { type: 'text', body: 'Are you there?' },
      }),
      inbound({
        wamid: 'wamid.BATCH-B-1',
        from: YOSSI,
        profileName: 'Yossi Cohen',
        timestamp: 1_763_971_401_000,
        content: { type: 'text', body: 'My card was declined at the ATM' },
      }),
      inbound({ wamid: 'wamid.BATCH-A-2', from: DANA, profileName: 'Dana Levi', timestamp: 1_763_971_402_000, content: { type: 'text', body: 'Hello??' } }),
    ],
  }),
  'inbound-reaction.json': batchOf({
    messages: [
      inbound({
        wamid: 'wamid.HBgMOTcyNTQxMjM0NTY3FQIAEhggQ0E3NUQ0NkI2N0IxRDgzQkJGMDk3MzI2MkQ3REQ4RjIA',
        from: DANA,
        profileName: 'Dana Levi',
        timestamp: 1_763_971_500_000,
        content: { type: 'reaction', emoji: '👍', targetWamid: outboundWamid },
      }),
    ],
  }),
  'inbound-button-reply.json': batchOf({
    messages: [
      inbound({
        wamid: 'wamid.HBgMOTcyNTAxMTEyMjMzFQIAEhggNjg0RUE0QjVGQzQ3QkYwNzg4MDYzQjQ0RjA0ODZBQjcA',
        from: YOSSI,
        profileName: 'Yossi Cohen',
        timestamp: 1_763_971_600_000,
        content: { type: 'button_reply', text: 'Yes, confirm', payload: 'CONFIRM_APPOINTMENT' },
        contextWamid: 'wamid.HBgMOTcyNTAxMTEyMjMzFQIAERgSNzE2QjBGNzY1RDk1MkY1QkU0AA==',
      }),
    ],
  }),
  'status-sent.json': batchOf({ statuses: [statusOf({ wamid: outboundWamid, status: 'sent', timestamp: 1_763_971_210_000 })] }),
  'status-delivered.json': batchOf({ statuses: [statusOf({ wamid: outboundWamid, status: 'delivered', timestamp: 1_763_971_212_000 })] }),
  'status-read.json': batchOf({ statuses: [statusOf({ wamid: outboundWamid, status: 'read', timestamp: 1_763_971_230_000 })] }),
  'status-failed-131047.json': batchOf({
    statuses: [
      statusOf({
        wamid: 'wamid.HBgMOTcyNTQxMjM0NTY3FQIAERgSOUFBMjU2RTA0QjU0NzEyRkI5AA==',
        status: 'failed',
        timestamp: 1_763_971_240_000,
        failure: {
          code: 'template_required',
          message: 'Re-engagement message — Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
          metaCode: 131047,
        },
      }),
    ],
  }),
};

const WEBHOOK_FIXTURES = readdirSync(FIXTURES)
  .filter((name) => /^(inbound|status)-.*\.json$/.test(name))
  .sort();

/** Every string a refusal must not repeat: what customers wrote and who they are. */
function sensitiveStrings(body: unknown): string[] {
  const found: string[] = [];
  const sensitiveKeys = new Set(['body', 'from', 'wa_id', 'recipient_id', 'display_phone_number', 'name', 'caption', 'text', 'title', 'filename']);
  const walk = (node: unknown, key: string | undefined): void => {
    if (Array.isArray(node)) node.forEach((child) => walk(child, key));
    else if (typeof node === 'object' && node !== null) for (const [k, v] of Object.entries(node)) walk(v, k);
    else if (key !== undefined && sensitiveKeys.has(key) && (typeof node === 'string' || typeof node === 'number') && String(node).length >= 4) {
      found.push(String(node));
    }
  };
  walk(body, undefined);
  return found;
}

function expectNothingSensitive(messageText: string, body: unknown): void {
  for (const secret of sensitiveStrings(body)) expect(messageText).not.toContain(secret);
}

describe('parseWebhook: the fixtures', () => {
  it('has an expectation for every inbound-* and status-* fixture, and no stale ones', () => {
    expect(WEBHOOK_FIXTURES).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(WEBHOOK_FIXTURES)('parses %s to exactly the expected items', (name) => {
    expect(parsedOk(fixture(name))).toStrictEqual(EXPECTED[name]);
  });

  it('keeps all three messages from both customers in the two-entry batch, in delivery order', () => {
    const batch = parsedOk(fixture('inbound-batch-two-entries.json'));
    expect(batch.messages.map((m) => [m.from.waId, m.wamid])).toEqual([
      [DANA, 'wamid.BATCH-A-1'],
      [YOSSI, 'wamid.BATCH-B-1'],
      [DANA, 'wamid.BATCH-A-2'],
    ]);
    expect(new Set(batch.messages.map((m) => m.from.waId)).size).toBe(2);
  });

  it('maps 131047 to template_required so the agent is told to send a template', () => {
    const [failed] = parsedOk(fixture('status-failed-131047.json')).statuses;
    expect(failed?.failure?.code).toBe('template_required');
    expect(failed?.failure?.metaCode).toBe(131047);
  });
});

describe('parseWebhook: envelopes', () => {
  it('processes every change of every entry, messages and statuses alike', () => {
    const text = fixture('inbound-text.json') as { entry: { changes: unknown[] }[] };
    const sent = fixture('status-sent.json') as { entry: { changes: unknown[] }[] };
    const batch = fixture('inbound-batch-two-entries.json') as { entry: { changes: unknown[] }[] };
    const merged = {
      object: 'whatsapp_business_account',
      entry: [{ id: '1', changes: [...(text.entry[0]?.changes ?? []), ...(sent.entry[0]?.changes ?? [])] }, ...batch.entry],
    };
    const result = parsedOk(merged);
    expect(result.messages.map((m) => m.wamid)).toEqual([
      'wamid.HBgMOTcyNTQxMjM0NTY3FQIAEhggQjA1RTc4QjU0RjA3QjM0QjE4RTU3QjM2NDcxRjdBQTAA',
      'wamid.BATCH-A-1',
      'wamid.BATCH-B-1',
      'wamid.BATCH-A-2',
    ]);
    expect(result.statuses.map((s) => s.status)).toEqual(['sent']);
  });

  it('keeps the messages beside changes for other fields, whatever their value holds', () => {
    const body = fixture('inbound-text.json') as { entry: { changes: unknown[] }[] };
    body.entry[0]?.changes.unshift(
      { field: 'account_update', value: { event: 'VERIFIED_ACCOUNT', nonsense: [1, { deep: null }] } },
      { field: 'message_template_status_update', value: 'not even an object' },
      { value: { metadata: {} } },
    );
    const batch = parsedOk(body);
    expect(batch.messages).toStrictEqual(EXPECTED['inbound-text.json']?.messages);
    expect(batch.accountEvents).toStrictEqual([{ kind: 'account', event: 'VERIFIED_ACCOUNT' }]);
    expect(batch.skipped.map((s) => s.path)).toEqual(['entry[0].changes[1].value', 'entry[0].changes[2].field']);
  });

  it('accepts a delivery with no entries, or a change with neither messages nor statuses', () => {
    expect(parsedOk({ object: 'whatsapp_business_account', entry: [] })).toEqual(batchOf({}));
    expect(parsedOk(delivery({}))).toEqual(batchOf({}));
  });

  it('ignores fields it does not know, at every level', () => {
    const body = fixture('inbound-image-reply.json') as {
      entry: { changes: { value: { messages: Record<string, unknown>[]; metadata: Record<string, unknown> } }[] }[];
    } & Record<string, unknown>;
    body['new_top_level'] = { x: 1 };
    const change = body.entry[0]?.changes[0];
    if (change === undefined) throw new Error('fixture shape changed');
    (change as unknown as Record<string, unknown>)['extra'] = [1, 2, 3];
    change.value.metadata['new_metadata'] = true;
    const msg = change.value.messages[0];
    if (msg === undefined) throw new Error('fixture shape changed');
    msg['referral'] = { source_url: 'https://example.test' };
    (msg['image'] as Record<string, unknown>)['animated'] = false;
    (msg['context'] as Record<string, unknown>)['forwarded'] = true;
    expect(parsedOk(body)).toStrictEqual(EXPECTED['inbound-image-reply.json']);
  });

  it('gives a null profile name when contacts are absent, malformed or about someone else', () => {
    const msg = message('text', { text: { body: 'hello' } });
    expect(onlyMessage(delivery({ messages: [msg], contacts: [] })).from.profileName).toBeNull();
    expect(onlyMessage(delivery({ messages: [msg], contacts: 'garbage' })).from.profileName).toBeNull();
    expect(onlyMessage(delivery({ messages: [msg], contacts: [{ wa_id: DANA }, 7] })).from.profileName).toBeNull();
    expect(onlyMessage(delivery({ messages: [msg], contacts: [{ wa_id: YOSSI, profile: { name: 'Yossi Cohen' } }] })).from.profileName).toBeNull();
  });

  it('accepts a timestamp sent as a number of seconds', () => {
    expect(onlyMessage(delivery({ messages: [{ ...message('text', { text: { body: 'hi' } }), timestamp: 1763971200 }] })).timestamp).toBe(1_763_971_200_000);
  });
});

describe('parseWebhook: content by type', () => {
  it('reads audio, video and sticker media by WhatsApp media id', () => {
    expect(onlyContent('audio', { audio: { id: 'A1', mime_type: 'audio/ogg; codecs=opus', sha256: 'abc', voice: true } })).toStrictEqual({
      type: 'audio',
      waMediaId: 'A1',
      mimeType: 'audio/ogg; codecs=opus',
      sha256: 'abc',
      voice: true,
    });
    expect(onlyContent('video', { video: { id: 'V1', mime_type: 'video/mp4', caption: 'the branch door' } })).toStrictEqual({
      type: 'video',
      waMediaId: 'V1',
      mimeType: 'video/mp4',
      caption: 'the branch door',
    });
    expect(onlyContent('sticker', { sticker: { id: 'S1', mime_type: 'image/webp', animated: false } })).toStrictEqual({
      type: 'sticker',
      waMediaId: 'S1',
      mimeType: 'image/webp',
    });
  });

  it('drops a wrong-typed optional media field but keeps the media', () => {
    expect(onlyContent('document', { document: { id: 'D1', mime_type: 'application/pdf', filename: 42, caption: { no: 1 } } })).toStrictEqual({
      type: 'document',
      waMediaId: 'D1',
      mimeType: 'application/pdf',
    });
  });

  it('reads a location with or without a name and address', () => {
    expect(onlyContent('location', { location: { latitude: 32.0853, longitude: 34.7818, name: 'Herzl St. branch', address: '1 Herzl St' } })).toStrictEqual({
      type: 'location',
      latitude: 32.0853,
      longitude: 34.7818,
      name: 'Herzl St. branch',
      address: '1 Herzl St',
    });
    expect(onlyContent('location', { location: { latitude: -33.9, longitude: 18.4 } })).toStrictEqual({ type: 'location', latitude: -33.9, longitude: 18.4 });
  });

  it('reads a removed reaction as an empty emoji', () => {
    expect(onlyContent('reaction', { reaction: { message_id: outboundWamid, emoji: '' } })).toStrictEqual({
      type: 'reaction',
      emoji: '',
      targetWamid: outboundWamid,
    });
    expect(onlyContent('reaction', { reaction: { message_id: outboundWamid } })).toStrictEqual({ type: 'reaction', emoji: '', targetWamid: outboundWamid });
  });

  it('reads interactive button and list replies as button replies', () => {
    expect(onlyContent('interactive', { interactive: { type: 'button_reply', button_reply: { id: 'YES', title: 'Yes please' } } })).toStrictEqual({
      type: 'button_reply',
      text: 'Yes please',
      payload: 'YES',
    });
    expect(
      onlyContent('interactive', {
        interactive: { type: 'list_reply', list_reply: { id: 'LOANS', title: 'Loans', description: 'Mortgage and personal loans' } },
      }),
    ).toStrictEqual({ type: 'button_reply', text: 'Loans', payload: 'LOANS' });
  });

  it('reads a quick-reply tap without a payload', () => {
    expect(onlyContent('button', { button: { text: 'Call me' } })).toStrictEqual({ type: 'button_reply', text: 'Call me' });
  });

  it.each([
    ['unsupported', { errors: [{ code: 131051, title: 'Message type unknown' }] }],
    ['ephemeral', {}],
    ['brand_new_type_2031', { brand_new_type_2031: { anything: true } }],
  ])('keeps a %s message as unsupported', (type, content) => {
    expect(onlyContent(type, content)).toStrictEqual({ type: 'unsupported', waType: type });
  });

  it('truncates an absurdly long unknown type name to 64 characters, marking the cut', () => {
    const content = onlyContent('x'.repeat(500), {});
    expect(content).toStrictEqual({ type: 'unsupported', waType: `${'x'.repeat(63)}…` });
  });

  it('does not split an emoji when truncating the type name', () => {
    const content = onlyContent(`${'x'.repeat(62)}😀x`, {});
    expect(content).toStrictEqual({ type: 'unsupported', waType: `${'x'.repeat(62)}…` });
  });

  it.each([
    ['text', { text: { no_body: true } }],
    ['text', { text: { body: 12 } }],
    ['text', {}],
    ['image', { image: { mime_type: 'image/jpeg', caption: 'no id' } }],
    ['image', { image: { id: 'I1' } }],
    ['document', { document: 'not an object' }],
    ['audio', { audio: null }],
    ['location', { location: { latitude: '32.08', longitude: 34.78 } }],
    ['location', { location: { latitude: 132, longitude: 34.78 } }],
    ['reaction', { reaction: { emoji: '👍' } }],
    ['reaction', { reaction: { message_id: outboundWamid, emoji: 5 } }],
    ['button', { button: { payload: 'X' } }],
    ['interactive', { interactive: { type: 'nfm_reply', nfm_reply: { response_json: 'not json' } } }],
    ['contacts', { contacts: 'not a list' }],
    ['order', { order: { product_items: [] } }],
    ['interactive', { interactive: { type: 'button_reply', list_reply: { id: 'a', title: 'b' } } }],
  ])('keeps a malformed %s message as unsupported rather than dropping it', (type, content) => {
    const item = onlyMessage(delivery({ messages: [message(type, content)] }));
    expect(item.wamid).toBe('wamid.TEST-1');
    expect(item.content).toStrictEqual({ type: 'unsupported', waType: type });
  });

  it('gives a null context when context is missing its id', () => {
    const msg = { ...message('text', { text: { body: 'hi' } }), context: { from: '15550783881' } };
    expect(onlyMessage(delivery({ messages: [msg] })).contextWamid).toBeNull();
  });

  it('keeps a text body of exactly the limit, and cuts a longer one with a visible mark instead of refusing the batch', () => {
    const atLimit = 'a'.repeat(MAX_INBOUND_TEXT_LENGTH);
    expect(onlyContent('text', { text: { body: atLimit } })).toStrictEqual({ type: 'text', body: atLimit });
    expect(onlyContent('text', { text: { body: `${atLimit}b` } })).toStrictEqual({ type: 'text', body: `${'a'.repeat(MAX_INBOUND_TEXT_LENGTH - 1)}…` });
  });
});

describe('parseWebhook: refusals and skips', () => {
  /** The reasons a batch gives for what it skipped, for checks that they name paths and never values. */
  const reasons = (batch: WebhookBatch): string => batch.skipped.map((s) => `${s.path}: ${s.reason}`).join('\n');

  it('skips a bad sender deep in the delivery, naming its path without its value or any text, and keeps the others', () => {
    const body = {
      object: 'whatsapp_business_account',
      entry: [
        {
          changes: [
            { field: 'messages', value: { metadata: { phone_number_id: PHONE_NUMBER_ID }, messages: [message('text', { text: { body: 'first' } })] } },
            {
              field: 'messages',
              value: {
                metadata: { phone_number_id: PHONE_NUMBER_ID },
                contacts: [{ wa_id: DANA, profile: { name: 'Dana Levi' } }],
                messages: [
                  { ...message('text', { text: { body: 'My account number is 12-345-678901' } }), id: 'wamid.KEPT-1' },
                  { ...message('text', { text: { body: 'and my PIN hint is my birthday' } }), id: 'wamid.KEPT-2' },
                  { ...message('text', { text: { body: 'please call me on 0541234567' } }), from: `+${DANA}` },
                ],
              },
            },
          ],
        },
      ],
    };
    const batch = parsedOk(body);
    expect(batch.messages.map((m) => m.wamid)).toEqual(['wamid.TEST-1', 'wamid.KEPT-1', 'wamid.KEPT-2']);
    expect(batch.skipped).toHaveLength(1);
    expect(batch.skipped[0]?.path).toBe('entry[0].changes[1].value.messages[2]');
    expectNothingSensitive(reasons(batch), body);
    expect(reasons(batch)).not.toContain(DANA);
  });

  /** The object at a path in a fixture, for tests that break one field of it. */
  const at = (body: unknown, path: readonly (string | number)[]): Record<string, unknown> => {
    let node = body;
    for (const key of path) node = (node as Record<string | number, unknown>)[key];
    if (typeof node !== 'object' || node === null) throw new Error(`fixture has no object at ${path.join('.')}`);
    return node as Record<string, unknown>;
  };
  const VALUE = ['entry', 0, 'changes', 0, 'value'] as const;
  const MESSAGE = [...VALUE, 'messages', 0] as const;
  const MESSAGE_PATH = 'entry[0].changes[0].value.messages[0]';

  it.each<[string, (body: Record<string, unknown>) => void, string]>([
    ['a different object', (b) => (b['object'] = 'page'), 'object'],
    ['a missing object', (b) => delete b['object'], 'object'],
    ['entry not an array', (b) => (b['entry'] = { 0: {} }), 'entry'],
  ])('refuses %s, naming the path', (_label, mutate, path) => {
    const body = fixture('inbound-text.json');
    mutate(body);
    const reason = refusal(body);
    expect(reason).toContain(`at ${path}:`);
    expectNothingSensitive(reason, fixture('inbound-text.json'));
  });

  it.each<[string, (body: Record<string, unknown>) => void, string]>([
    ['an entry that is not an object', (b) => (b['entry'] = ['x']), 'entry[0]'],
    ['changes missing', (b) => delete at(b, ['entry', 0])['changes'], 'entry[0].changes'],
    ['a change that is not an object', (b) => (at(b, ['entry', 0])['changes'] = [null]), 'entry[0].changes[0]'],
    ['a messages change without value', (b) => delete at(b, ['entry', 0, 'changes', 0])['value'], 'entry[0].changes[0].value'],
    ['metadata missing', (b) => delete at(b, VALUE)['metadata'], 'entry[0].changes[0].value.metadata'],
    ['phone_number_id missing', (b) => delete at(b, [...VALUE, 'metadata'])['phone_number_id'], 'entry[0].changes[0].value.metadata.phone_number_id'],
    ['messages not an array', (b) => (at(b, VALUE)['messages'] = {}), 'entry[0].changes[0].value.messages'],
    ['a message that is not an object', (b) => (at(b, VALUE)['messages'] = ['hello']), MESSAGE_PATH],
    ['a message without id', (b) => delete at(b, MESSAGE)['id'], `${MESSAGE_PATH}.id`],
    ['a numeric id', (b) => (at(b, MESSAGE)['id'] = 5), `${MESSAGE_PATH}.id`],
    ['a from with a plus sign', (b) => (at(b, MESSAGE)['from'] = `+${DANA}`), MESSAGE_PATH],
    ['a message without timestamp', (b) => delete at(b, MESSAGE)['timestamp'], `${MESSAGE_PATH}.timestamp`],
    ['a date-string timestamp', (b) => (at(b, MESSAGE)['timestamp'] = '2025-11-24T08:00:00Z'), `${MESSAGE_PATH}.timestamp`],
    ['a fractional timestamp', (b) => (at(b, MESSAGE)['timestamp'] = 1763971200.5), `${MESSAGE_PATH}.timestamp`],
    ['a negative timestamp', (b) => (at(b, MESSAGE)['timestamp'] = -1), `${MESSAGE_PATH}.timestamp`],
    ['a message without type', (b) => delete at(b, MESSAGE)['type'], `${MESSAGE_PATH}.type`],
    ['a numeric type', (b) => (at(b, MESSAGE)['type'] = 1), `${MESSAGE_PATH}.type`],
  ])('answers %s with a skipped item naming the path, not a refusal', (_label, mutate, path) => {
    const body = fixture('inbound-text.json');
    mutate(body);
    const batch = parsedOk(body);
    expect(batch.messages).toEqual([]);
    expect(batch.skipped).toHaveLength(1);
    expect(batch.skipped[0]?.path).toBe(path);
    expectNothingSensitive(reasons(batch), fixture('inbound-text.json'));
  });

  it('keeps a message without from when its only contact names the sender (the BSUID-era shape)', () => {
    const body = fixture('inbound-text.json');
    delete at(body, MESSAGE)['from'];
    expect(parsedOk(body)).toStrictEqual(EXPECTED['inbound-text.json']);
  });

  it("keeps every other message of the batch when one is broken, so no other customer waits for Meta's retries", () => {
    const body = fixture('inbound-batch-two-entries.json') as { entry: { changes: { value: { messages: Record<string, unknown>[] } }[] }[] };
    const last = body.entry[1]?.changes[0]?.value.messages[0];
    if (last === undefined) throw new Error('fixture shape changed');
    delete last['id'];
    const batch = parsedOk(body);
    expect(batch.messages.map((m) => m.wamid)).toEqual(['wamid.BATCH-A-1', 'wamid.BATCH-B-1']);
    expect(batch.skipped.map((s) => s.path)).toEqual(['entry[1].changes[0].value.messages[0].id']);
    expectNothingSensitive(reasons(batch), fixture('inbound-batch-two-entries.json'));
  });

  it.each([null, undefined, 0, 'whatsapp_business_account', [], [fixture('inbound-text.json')], true])('refuses a body of %o', (body) => {
    expect(refusal(body)).toMatch(/^invalid webhook delivery at /);
  });

  it('skips a kept status that names no recipient at all, and keeps one named only by its BSUID', () => {
    const batch = parsedOk(
      delivery({
        contacts: [],
        statuses: [status({ recipient_id: undefined }), status({ id: 'wamid.OUT-2', recipient_id: undefined, recipient_user_id: 'US.13491208655302741918' })],
      }),
    );
    expect(batch.skipped.map((s) => s.path)).toEqual(['entry[0].changes[0].value.statuses[0]']);
    expect(batch.statuses.map((s) => [s.wamid, s.recipient])).toEqual([
      ['wamid.OUT-2', { waId: null, bsuid: 'US.13491208655302741918', username: null, profileName: null }],
    ]);
  });
});

describe('parseWebhook: statuses', () => {
  it.each(['deleted', 'warning', 'played', 'something_new'])('skips a %s status and keeps the rest', (skipped) => {
    const batch = parsedOk(
      delivery({
        statuses: [status({ status: skipped, recipient_id: undefined, timestamp: 'not checked' }), status({ id: 'wamid.OUT-2', status: 'read' })],
      }),
    );
    expect(batch.statuses.map((s) => [s.wamid, s.status])).toEqual([['wamid.OUT-2', 'read']]);
  });

  it('echoes biz_opaque_callback_data so the relay can match a send it never heard back about', () => {
    expect(onlyStatus(status({ status: 'sent', biz_opaque_callback_data: '0193a5f0-7b1c-7e4a-9d2f-3c4b5a6d7e8f' })).bizOpaque).toBe(
      '0193a5f0-7b1c-7e4a-9d2f-3c4b5a6d7e8f',
    );
    expect(onlyStatus(status({ status: 'sent', biz_opaque_callback_data: 12 })).bizOpaque).toBeNull();
  });

  it('accepts a numeric status timestamp', () => {
    expect(onlyStatus(status({ timestamp: 1763971212 })).timestamp).toBe(1_763_971_212_000);
  });

  it.each([
    [131047, 'template_required'],
    [131026, 'undeliverable'],
    [131049, 'undeliverable'],
    [131051, 'media_type_unsupported'],
    [131052, 'media_type_unsupported'],
    [131053, 'media_type_unsupported'],
    [131009, 'invalid_input'],
    [100, 'invalid_input'],
    [131000, 'rejected'],
    [368, 'rejected'],
  ] as const)('maps Meta error %i to %s', (code, expected) => {
    const item = onlyStatus(status({ status: 'failed', errors: [{ code, title: 'Some title' }] }));
    expect(item.failure).toStrictEqual({ code: expected, message: 'Some title', metaCode: code });
  });

  it('reports a failure with no errors array in plain words', () => {
    expect(onlyStatus(status({ status: 'failed' })).failure).toStrictEqual({ code: 'rejected', message: 'WhatsApp reported the message as failed' });
    expect(onlyStatus(status({ status: 'failed', errors: [] })).failure).toStrictEqual({
      code: 'rejected',
      message: 'WhatsApp reported the message as failed',
    });
    expect(onlyStatus(status({ status: 'failed', errors: 'boom' })).failure).toStrictEqual({
      code: 'rejected',
      message: 'WhatsApp reported the message as failed',
    });
  });

  it('uses only the first error, and caps the message at 1,000 characters', () => {
    const item = onlyStatus(
      status({
        status: 'failed',
        errors: [
          { code: 131026, title: 'Message undeliverable', error_data: { details: 'x'.repeat(5_000) } },
          { code: 131047, title: 'Re-engagement message' },
        ],
      }),
    );
    expect(item.failure?.code).toBe('undeliverable');
    expect(item.failure?.message).toHaveLength(1_000);
    expect(item.failure?.message.startsWith('Message undeliverable — xxx')).toBe(true);
  });

  it('gives null failure for statuses other than failed', () => {
    expect(onlyStatus(status({ status: 'delivered', errors: [{ code: 131047, title: 'ignored' }] })).failure).toBeNull();
  });
});

describe('parseWebhook: never throws', () => {
  const isWellFormed = (result: ReturnType<typeof parseWebhook>): void => {
    if (result.ok) {
      for (const m of result.value.messages) {
        expect(Number.isSafeInteger(m.timestamp)).toBe(true);
        expect(m.from.waId === null || /^\d{6,20}$/.test(m.from.waId)).toBe(true);
        expect(m.from.waId !== null || m.from.bsuid !== null).toBe(true);
        expect(m.timestamp).toBeLessThanOrEqual(NOW + 5 * 60 * 1000);
        if (m.content.type === 'unsupported') expect(m.content.waType.length).toBeLessThanOrEqual(64);
        if (m.content.type === 'text') expect(m.content.body.length).toBeLessThanOrEqual(MAX_INBOUND_TEXT_LENGTH);
      }
      for (const s of result.value.statuses) {
        expect(Number.isSafeInteger(s.timestamp)).toBe(true);
        if (s.failure !== null) expect(s.failure.message.length).toBeLessThanOrEqual(1_000);
      }
    } else {
      expect(result.error.code).toBe('invalid_input');
    }
  };

  it('for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        isWellFormed(parseWebhook(value, { now: NOW }));
      }),
      { numRuns: 500 },
    );
  });

  it('for anything at all, including Maps, typed arrays and null-prototype objects', () => {
    const anything = fc.anything({
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withNullPrototype: true,
      withObjectString: true,
      withSet: true,
      withSparseArray: true,
      withTypedArray: true,
    });
    fc.assert(
      fc.property(anything, (value) => {
        isWellFormed(parseWebhook(value, { now: NOW }));
        isWellFormed(parseWebhook({ object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'messages', value }] }] }, { now: NOW }));
        isWellFormed(parseWebhook(delivery({ messages: [value], statuses: [value], contacts: value }), { now: NOW }));
      }),
      { numRuns: 500 },
    );
  });

  it('for JSON-shaped values in every slot of a real delivery', () => {
    const slot = fc.jsonValue({ maxDepth: 3 });
    fc.assert(
      fc.property(
        fc.constantFrom('text', 'image', 'document', 'audio', 'location', 'reaction', 'button', 'interactive', 'x'),
        slot,
        slot,
        (type, content, context) => {
          isWellFormed(parseWebhook(delivery({ messages: [{ ...message(type, { [type]: content }), context }] }), { now: NOW }));
        },
      ),
    );
  });

  it('for deep nonsense and hostile objects', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    isWellFormed(parseWebhook(deep, { now: NOW }));
    expect(onlyMessage(delivery({ messages: [message('image', { image: deep, context: deep })] })).content).toStrictEqual({
      type: 'unsupported',
      waType: 'image',
    });

    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('boom');
        },
        has() {
          throw new Error('boom');
        },
        ownKeys() {
          throw new Error('boom');
        },
        getPrototypeOf() {
          throw new Error('boom');
        },
      },
    );
    expect(parseWebhook(hostile, { now: NOW })).toEqual({ ok: false, error: expect.objectContaining({ code: 'invalid_input' }) });
    // Inside a real envelope a hostile item costs only itself.
    const inside = parsedOk(delivery({ messages: [hostile, message('text', { text: { body: 'still here' } })] }));
    expect(inside.messages.map((m) => m.wamid)).toEqual(['wamid.TEST-1']);
    expect(inside.skipped.map((s) => s.path)).toEqual(['entry[0].changes[0].value.messages[0]']);
  });

  describe('for fixtures with fields deleted or replaced at random', () => {
    /** Every path to a property or array element in a JSON value. */
    function pathsOf(node: unknown, prefix: (string | number)[] = []): (string | number)[][] {
      if (Array.isArray(node)) return node.flatMap((child, i) => [[...prefix, i], ...pathsOf(child, [...prefix, i])]);
      if (typeof node === 'object' && node !== null) {
        return Object.entries(node).flatMap(([k, child]) => [[...prefix, k], ...pathsOf(child, [...prefix, k])]);
      }
      return [];
    }

    function mutate(root: unknown, path: (string | number)[], replacement: { delete: true } | { value: unknown }): void {
      let parent: unknown = root;
      for (const key of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[key];
      const last = path[path.length - 1];
      if (last === undefined || typeof parent !== 'object' || parent === null) return;
      if ('delete' in replacement) {
        if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
        else delete (parent as Record<string | number, unknown>)[last];
      } else {
        (parent as Record<string | number, unknown>)[last] = replacement.value;
      }
    }

    const edit = fc.record({
      pick: fc.nat(),
      replacement: fc.oneof(
        fc.constant({ delete: true as const }),
        fc.jsonValue({ maxDepth: 2 }).map((value) => ({ value })),
      ),
    });

    it.each(WEBHOOK_FIXTURES)('%s', (name) => {
      const original = fixture(name);
      fc.assert(
        fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
          const body = structuredClone(original);
          for (const { pick, replacement } of edits) {
            const paths = pathsOf(body);
            if (paths.length === 0) break;
            const path = paths[pick % paths.length];
            if (path !== undefined) mutate(body, path, replacement);
          }
          const result = parseWebhook(body, { now: NOW });
          isWellFormed(result);
          if (!result.ok) expectNothingSensitive(result.error.message, original);
          else for (const skipped of result.value.skipped) expectNothingSensitive(`${skipped.path} ${skipped.reason}`, original);
        }),
        { numRuns: 300 },
      );
    });
  });
});
