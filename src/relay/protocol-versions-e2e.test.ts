// End to end: Meta's documented deliveries through the real POST /webhook and store, then a v1 console (socket and long
// poll) and a v2 console read the same log — v1 every frame parseable, gap-free and resumable; v2 the full shapes.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerFrame } from '../shared/protocol';
import { ServerFrameV1 } from '../shared/protocol-v1';
import { PROTOCOL_V2, LocalStore, connectWebSocket, openPollSession, type Connection, type Conversation } from './test-support/docs-client';
import { startTestRelay, waitFor, type TestRelay } from './test-support/relay-harness';

const FIXTURES = new URL('../../test/fixtures/whatsapp/', import.meta.url);
type Json = Record<string, unknown>;

/** A fixture as Meta documents it, with its message's wamid (and anything else) changed by `edit`. */
function delivery(name: string, edit: (message: Json) => void): string {
  const body = JSON.parse(readFileSync(new URL(name, FIXTURES)).toString('utf8')) as { entry: { changes: { value: { messages: Json[] } }[] }[] };
  edit(body.entry[0]!.changes[0]!.value.messages[0]!);
  return JSON.stringify(body);
}

const WAMID = (n: number) => `wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFE${String(n).padStart(10, '0')}AA=`;
const PHONE_CUSTOMER = '16505551234';
const BSUID = 'US.13491208655302741918';

let relay: TestRelay;
const open: Connection[] = [];
let head = 0;

beforeAll(async () => {
  relay = await startTestRelay();
  const deliveries = [
    delivery('meta-text.json', (m) => (m.id = WAMID(1))),
    // The customer corrects that message, then sends another and deletes it.
    delivery('meta-edit.json', (m) => {
      m.id = WAMID(2);
      (m.edit as Json).original_message_id = WAMID(1);
    }),
    delivery('meta-text.json', (m) => {
      m.id = WAMID(3);
      m.text = { body: 'card 4580 0000 0000 0000' };
    }),
    delivery('meta-revoke.json', (m) => {
      m.id = WAMID(4);
      (m.revoke as Json).original_message_id = WAMID(3);
    }),
    delivery('meta-contacts.json', (m) => (m.id = WAMID(5))),
    // A customer WhatsApp knows to us by BSUID and username only, and a group.
    delivery('meta-bsuid-contact-request.json', (m) => (m.id = WAMID(6))),
    delivery('meta-group-text.json', (m) => (m.id = WAMID(7))),
  ];
  for (const body of deliveries) expect((await relay.postWebhook(body)).status).toBe(200);
  head = await relay.relay.store.head();
});

afterAll(async () => {
  for (const c of open) c.dispose();
  await relay?.stop();
});

function track<C extends Connection>(c: C): C {
  open.push(c);
  return c;
}

const receivedAll = (c: Connection) => waitFor('every event up to head', () => ((c.envelopes.at(-1)?.seq ?? 0) >= head ? true : undefined));
const upTo = (n: number, from = 1) => Array.from({ length: n - from + 1 }, (_, i) => from + i);
const phoneConversation = (store: LocalStore): Conversation | undefined => [...store.conversations.values()].find((c) => c.customer.waId === PHONE_CUSTOMER);

function expectV1(c: Connection, since = 0): LocalStore {
  expect(c.violations).toEqual([]);
  expect(c.frames.filter((f) => !ServerFrameV1.safeParse(f).success)).toEqual([]);
  expect(c.envelopes.map((e) => e.seq)).toEqual(upTo(head, since + 1));
  const store = new LocalStore();
  store.commit(c.envelopes);
  return store;
}

describe('a v1 and a v2 console on a relay fed by Meta-documented deliveries', () => {
  it('v1 over the WebSocket: every frame parses with v1 schemas, gap-free, and resume replays the same events', async () => {
    const c = track(connectWebSocket({ baseUrl: relay.relay.url, token: relay.token, device: 'desk-v1', since: 0 }));
    expect(await c.hello()).toMatchObject({ protocol: 1 });
    await receivedAll(c);
    const store = expectV1(c);

    const phone = phoneConversation(store);
    expect(phone, 'the phone customer is there').toBeDefined();
    expect(
      [...store.conversations.values()].every((x) => x.customer.waId !== null),
      'no conversation without a phone number',
    ).toBe(true);
    const contents = [...store.messages.values()].filter((m) => m.conversationId === phone?.id).map((m) => m.content);
    expect(contents).toContainEqual({ type: 'text', body: 'Does it come in another colour? Blue, ideally.' });
    expect(contents).toContainEqual({ type: 'unsupported', waType: 'deleted' });
    expect(contents).toContainEqual({ type: 'unsupported', waType: 'contacts' });
    expect(
      contents.some((x) => x.body === 'card 4580 0000 0000 0000'),
      'the deleted text is gone',
    ).toBe(false);
    expect(
      contents.some((x) => x.body === 'Does it come in another color?'),
      'the edit replaced the text',
    ).toBe(false);
    expect(JSON.stringify(c.frames)).not.toContain(BSUID);
    expect(JSON.stringify(c.frames), 'nothing of the group').not.toContain('Can the branch open at 8 on Friday?');

    c.dispose();
    const again = track(connectWebSocket({ baseUrl: relay.relay.url, token: relay.token, device: 'desk-v1', since: 3 }));
    expect((await again.hello()).mode).toBe('resume');
    await receivedAll(again);
    expect(again.envelopes).toEqual(c.envelopes.slice(3));
    expect(again.violations).toEqual([]);
  });

  it('v1 over long polling: the same events, parseable, and its methods leave out what v1 cannot express', async () => {
    const poll = track(await openPollSession({ baseUrl: relay.relay.url, token: relay.token, device: 'laptop-v1', since: 0 }));
    expect(await poll.hello()).toMatchObject({ protocol: 1 });
    await receivedAll(poll);
    expectV1(poll);
    const page = (await poll.call('conversations.list', {})) as { conversations: Conversation[]; total: number };
    expect(page.conversations.map((x) => x.customer.waId)).toEqual([PHONE_CUSTOMER]);
    expect(page.total, 'the relay holds three: phone, BSUID-only and group').toBe(3);
    expect(poll.frames.filter((f) => !ServerFrameV1.safeParse(f).success)).toEqual([]);
    poll.stop();
  });

  it('v2 receives the full shapes: the BSUID-only customer, the group, the contact card, the edit and the deletion', async () => {
    const c = track(connectWebSocket({ baseUrl: relay.relay.url, token: relay.token, device: 'desk-v2', since: 0, protocols: [PROTOCOL_V2] }));
    expect(await c.hello()).toMatchObject({ protocol: 2 });
    await receivedAll(c);
    expect(c.violations).toEqual([]);
    expect(c.frames.filter((f) => !ServerFrame.safeParse(f).success)).toEqual([]);
    expect(c.envelopes.map((e) => e.event.kind)).toContain('message.updated');

    const store = new LocalStore();
    store.commit(c.envelopes);
    const conversations = [...store.conversations.values()];
    expect(conversations.find((x) => x.customer.bsuid === BSUID)?.customer).toMatchObject({ waId: null, username: 'sheenanelson' });
    expect(conversations.some((x) => (x.group ?? null) !== null)).toBe(true);
    const contents = [...store.messages.values()].map((m) => m.content);
    const deleted = [...store.messages.values()].find((m) => m.content.type === 'deleted');
    expect(deleted?.edited ?? null, 'no earlier content of a deleted message is sent').toBeNull();
    expect(contents.filter((x) => x.type === 'contacts')).toHaveLength(2);
    const edited = [...store.messages.values()].find((m) => m.content.body === 'Does it come in another colour? Blue, ideally.');
    expect(edited?.edited?.previous).toEqual([{ type: 'text', body: 'Does it come in another color?' }]);
  });
});
