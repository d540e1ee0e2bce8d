// Fake WhatsApp with several business numbers: sends recorded per number (the ledger says which one a message left
// from), customers writing to either, statuses and replies naming the number written to; and POST /sandbox/age.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { uuidv7 } from '../../shared/uuidv7';
import { startTestRelay, type TestRelay } from '../test-support/relay-harness';
import type { SqlRelayStore } from '../store/sql-relay-store';
import { DEMO_NORTH_NUMBER } from './business-numbers';
import { prepareDemo } from './demo';
import { LedgerEntry } from './ledger';
import { acceptedWamid, authHeaders, startSandboxFixture, TEST_PHONE_NUMBER_ID, waitFor, type SandboxFixture } from './sandbox-test-harness';

const NORTH = DEMO_NORTH_NUMBER.phoneNumberId;
const CUSTOMER = '972541234567';

describe('fake WhatsApp with two numbers', () => {
  let running: SandboxFixture;
  beforeEach(async () => {
    running = await startSandboxFixture();
  });
  afterEach(() => running.close());

  const sendFrom = (number: string, body: string) =>
    fetch(`${running.server.graphUrl}/${number}/messages`, {
      method: 'POST',
      headers: authHeaders(),
      body: JSON.stringify({ messaging_product: 'whatsapp', to: CUSTOMER, type: 'text', text: { body } }),
    });
  const ledger = async (query: string) =>
    z.object({ messages: z.array(LedgerEntry) }).parse(await (await fetch(`${running.server.baseUrl}/sandbox/outbound?${query}`)).json()).messages;

  it('records each send under the number it left from, and answers an unknown number as Meta does', async () => {
    const fromMain = await acceptedWamid(await sendFrom(TEST_PHONE_NUMBER_ID, 'From main'));
    const fromNorth = await acceptedWamid(await sendFrom(NORTH, 'From north?'));
    expect((await ledger(`to=${CUSTOMER}`)).map((e) => [e.wamid, e.from])).toEqual([
      [fromMain, TEST_PHONE_NUMBER_ID],
      [fromNorth, NORTH],
    ]);
    expect((await ledger(`to=${CUSTOMER}&from=${NORTH}`)).map((e) => e.text)).toEqual(['From north?']);
    expect(running.server.sandbox.outbound(CUSTOMER, TEST_PHONE_NUMBER_ID).map((e) => e.text)).toEqual(['From main']);
    const unknown = await sendFrom('100000000000999', 'From nowhere');
    expect(unknown.status).toBe(400);
    expect(running.server.sandbox.numbers).toEqual([TEST_PHONE_NUMBER_ID, NORTH]);
    // The statuses of the north send, and the customer's answer to its question, come back naming the north number.
    const webhooks = await waitFor('the reply to the north question', () => {
      const accepted = running.receiver.accepted.filter((w) => w.json.entry[0]!.changes[0]!.value.messages !== undefined);
      return accepted.length > 0 && accepted;
    });
    expect(webhooks.map((w) => w.json.entry[0]!.changes[0]!.value.metadata.phone_number_id)).toEqual([NORTH]);
  });

  it('lets a customer write to either number, and refuses a number it does not serve', async () => {
    await running.server.sandbox.injectInbound({ from: CUSTOMER, name: 'Dana', text: 'Hi main' });
    await running.server.sandbox.injectInbound({ from: CUSTOMER, name: 'Dana', text: 'Hi north', to: NORTH });
    expect(running.receiver.accepted.map((w) => w.json.entry[0]!.changes[0]!.value.metadata.phone_number_id)).toEqual([TEST_PHONE_NUMBER_ID, NORTH]);
    const refused = await fetch(`${running.server.baseUrl}/sandbox/inbound`, {
      method: 'POST',
      body: JSON.stringify({ from: CUSTOMER, name: 'Dana', text: 'Hi?', to: '100000000000999' }),
    });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain(NORTH);
  });
});

describe('a relay serving both numbers, and POST /sandbox/age', () => {
  let t: TestRelay;
  let store: SqlRelayStore;
  beforeEach(async () => {
    t = await startTestRelay({ sandbox: true });
    store = t.relay.store as SqlRelayStore;
  });
  afterEach(() => t.stop());

  const age = (body: unknown) => fetch(`${t.relay.url}/sandbox/age`, { method: 'POST', body: JSON.stringify(body) });

  it('files a north customer in team north once the number is registered, and drops deliveries for a number nobody serves', async () => {
    // Acknowledged (the sandbox hears 200, so Meta would stop retrying), stored nowhere, and warned about once.
    await t.relay.sandbox!.injectInbound({ from: CUSTOMER, name: 'Dana', text: 'Before north exists', to: NORTH });
    await t.relay.sandbox!.injectInbound({ from: CUSTOMER, name: 'Dana', text: 'Still before', to: NORTH });
    expect(await store.head()).toBe(0);
    expect(t.logLines.filter((l) => l.includes('"webhook.other_number"'))).toHaveLength(1);
    await prepareDemo(store, t.dataDir, Date.now());
    await t.relay.sandbox!.injectInbound({ from: CUSTOMER, name: 'Dana', text: 'Now north exists', to: NORTH });
    const listed = await store.listConversations(undefined, 10, ['north']);
    expect(listed.ok && listed.value.items.map((c) => [c.customer.waId, c.team])).toEqual([[CUSTOMER, { id: 'north', name: 'North branch' }]]);
  });

  it('ages a conversation past its 24-hour window, so only a template can go out, and tells its team', async () => {
    await prepareDemo(store, t.dataDir, Date.now());
    await t.relay.sandbox!.injectInbound({ from: CUSTOMER, name: 'Dana', text: 'Hello', to: NORTH });
    const head = await store.head();
    const aged = await age({ from: CUSTOMER, to: NORTH, hours: 25 });
    expect(aged.status).toBe(200);
    const { conversation } = z.object({ conversation: z.object({ id: z.string(), lastInboundAt: z.number() }) }).parse(await aged.json());
    expect(Date.now() - conversation.lastInboundAt).toBeGreaterThanOrEqual(25 * 3_600_000);
    expect((await store.readEventsFor(['north'], head, 10)).events.map((e) => JSON.parse(e.json).kind)).toEqual(['conversation.upserted']);
    const send = (content: { type: 'text'; body: string } | { type: 'template'; name: string; language: string; parameters: string[] }) =>
      store.acceptSend({
        agentId: 'demo-north',
        params: { clientMessageId: uuidv7(), conversationId: conversation.id, content },
        requestHash: String(Math.random()),
        now: Date.now(),
        phoneNumberId: NORTH,
        phoneNumberOnly: false,
      });
    expect(await send({ type: 'text', body: 'Still there?' })).toMatchObject({ ok: false, error: { code: 'template_required' } });
    expect((await send({ type: 'template', name: 'branch_follow_up', language: 'en_US', parameters: ['Dana', 'Haifa'] })).ok).toBe(true);
  });

  it('says what is wrong with an age request', async () => {
    await prepareDemo(store, t.dataDir, Date.now());
    expect((await age({ hours: 25 })).status).toBe(400);
    expect((await age({ from: CUSTOMER, hours: -1 })).status).toBe(400);
    expect((await age({ from: CUSTOMER, to: '100000000000999' })).status).toBe(400);
    const unknown = await age({ from: '972500000000' });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('let them write first');
  });
});
