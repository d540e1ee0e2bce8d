// Webhooks the sandbox posts to the relay: signed statuses in order, customer replies, injected inbound, retries.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CUSTOMER_REPLY_TEXT } from './customers';
import {
  acceptedWamid,
  authHeaders,
  makeDataDir,
  startReceiver,
  startSandboxServer,
  messagesOf,
  startSandboxFixture,
  statusesOf,
  TEST_PHONE_NUMBER_ID,
  TEST_WABA_ID,
  waitFor,
  type Receiver,
  type SandboxFixture,
  type SandboxServer,
} from './sandbox-test-harness';

const CUSTOMER = '972541234567';

let running: SandboxFixture;
let receiver: Receiver;
let server: SandboxServer;

beforeEach(async () => {
  running = await startSandboxFixture();
  ({ receiver, server } = running);
});

afterEach(() => running.close());

async function sendText(body: string, bizOpaque?: string): Promise<string> {
  const res = await fetch(`${server.graphUrl}/${TEST_PHONE_NUMBER_ID}/messages`, {
    method: 'POST',
    headers: authHeaders(),
    body: JSON.stringify({
      messaging_product: 'whatsapp',
      to: CUSTOMER,
      type: 'text',
      text: { body },
      ...(bizOpaque === undefined ? {} : { biz_opaque_callback_data: bizOpaque }),
    }),
  });
  expect(res.status).toBe(200);
  return await acceptedWamid(res);
}

const inbound = (body: unknown): Promise<Response> =>
  fetch(`${server.baseUrl}/sandbox/inbound`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('status webhooks', () => {
  it('arrive signed, one per POST, as sent → delivered → read, carrying biz_opaque_callback_data', async () => {
    const wamid = await sendText('Your card is ready for pickup.', 'relay-msg-1');
    await waitFor('three statuses', () => statusesOf(receiver.accepted, wamid).length === 3);
    expect(statusesOf(receiver.accepted, wamid)).toEqual(['sent', 'delivered', 'read']);
    const mine = receiver.accepted.filter((w) => statusesOf([w], wamid).length > 0);
    expect(mine).toHaveLength(3);
    for (const webhook of mine) {
      expect(webhook.signatureValid).toBe(true);
      const entry = webhook.json.entry[0]!;
      expect(entry.id).toBe(TEST_WABA_ID);
      const value = entry.changes[0]!.value;
      expect(value.metadata.phone_number_id).toBe(TEST_PHONE_NUMBER_ID);
      expect(value.statuses).toHaveLength(1);
      expect(value.statuses![0]).toMatchObject({ id: wamid, recipient_id: CUSTOMER, biz_opaque_callback_data: 'relay-msg-1' });
    }
    // A statement, not a question: the customer stays quiet.
    expect(messagesOf(receiver.accepted)).toEqual([]);
  });

  it('omit biz_opaque_callback_data when the send had none', async () => {
    const wamid = await sendText('No opaque data.');
    await waitFor('the sent status', () => statusesOf(receiver.accepted, wamid).includes('sent'));
    expect(receiver.accepted[0]!.raw).not.toContain('biz_opaque_callback_data');
  });
});

describe('customer replies', () => {
  it('a question gets an answer quoting it, after read, under a default profile name', async () => {
    const wamid = await sendText('Can you come in on Tuesday?');
    const reply = await waitFor('the reply', () => messagesOf(receiver.accepted)[0]);
    expect(reply).toMatchObject({ from: CUSTOMER, type: 'text', text: { body: CUSTOMER_REPLY_TEXT }, context: { id: wamid } });
    expect(reply.id).toMatch(/^wamid\./);
    expect(reply.contacts).toEqual([{ profile: { name: 'Customer 4567' }, wa_id: CUSTOMER }]);
    expect(statusesOf(receiver.accepted, wamid)).toEqual(['sent', 'delivered', 'read']);
  });

  it('uses the name the customer wrote in with', async () => {
    const res = await inbound({ from: CUSTOMER, name: 'Dana Levi', text: 'Hello' });
    expect(res.status).toBe(200);
    await sendText('Is 10:00 fine?');
    await waitFor('the reply', () => messagesOf(receiver.accepted).find((m) => m.text?.body === CUSTOMER_REPLY_TEXT));
    expect(messagesOf(receiver.accepted).every((m) => m.contacts[0]?.profile.name === 'Dana Levi')).toBe(true);
  });
});

describe('POST /sandbox/inbound', () => {
  it('answers 200 with the wamid only once the relay has stored the message', async () => {
    const res = await inbound({ from: CUSTOMER, name: 'Dana Levi', text: 'I need my March statement' });
    expect(res.status).toBe(200);
    const { wamid } = z.looseObject({ wamid: z.string() }).parse(await res.json());
    // No waiting: the receiver must already have it.
    const stored = receiver.accepted.find((w) => messagesOf([w])[0]?.id === wamid);
    expect(stored?.signatureValid).toBe(true);
    expect(messagesOf([stored!])[0]).toMatchObject({ from: CUSTOMER, type: 'text', text: { body: 'I need my March statement' } });
    expect(messagesOf([stored!])[0]!.context).toBeUndefined();
  });

  it('answers 502 when the relay refuses, then keeps retrying like Meta until it accepts', async () => {
    receiver.refuseWith(500);
    const res = await inbound({ from: CUSTOMER, name: 'Dana Levi', text: 'Anyone there' });
    expect(res.status).toBe(502);
    const { error } = z.looseObject({ error: z.looseObject({ code: z.string(), wamid: z.string() }) }).parse(await res.json());
    expect(error.code).toBe('relay_refused');
    await waitFor('two more refused attempts', () => receiver.attempts.length >= 3);
    expect(receiver.accepted).toEqual([]);
    receiver.refuseWith(null);
    await waitFor('the retried delivery', () => messagesOf(receiver.accepted).find((m) => m.id === error.wamid));
    expect(new Set(receiver.attempts.map((a) => a.raw)).size).toBe(1); // the same bytes every time
    await waitFor('an empty outbox', () => server.sandbox.pendingWebhooks() === 0);
  });

  it('answers 502 when the relay is unreachable', async () => {
    const gone = await startReceiver();
    const url = gone.url;
    await gone.close();
    const other = makeDataDir();
    const lonely = await startSandboxServer({ dataDir: other.dir, webhookUrl: () => url });
    try {
      const res = await fetch(`${lonely.baseUrl}/sandbox/inbound`, { method: 'POST', body: JSON.stringify({ from: CUSTOMER, name: 'D', text: 'hi' }) });
      expect(res.status).toBe(502);
      expect(await res.json()).toMatchObject({ error: { code: 'relay_unreachable' } });
    } finally {
      await lonely.close();
      other.remove();
    }
  });

  it.each([
    ['a short from', { from: '123', name: 'D', text: 'hi' }],
    ['letters in from', { from: '97254123456a', name: 'D', text: 'hi' }],
    ['an empty name', { from: CUSTOMER, name: '', text: 'hi' }],
    ['a 257-character name', { from: CUSTOMER, name: 'n'.repeat(257), text: 'hi' }],
    ['an empty text', { from: CUSTOMER, name: 'D', text: '' }],
    ['a 4097-character text', { from: CUSTOMER, name: 'D', text: 't'.repeat(4097) }],
    ['an array', [1, 2]],
  ])('refuses %s with 400 invalid_input and sends nothing', async (_label, body) => {
    const res = await inbound(body);
    expect(res.status).toBe(400);
    const { error } = z.looseObject({ error: z.looseObject({ code: z.string(), message: z.string() }) }).parse(await res.json());
    expect(error.code).toBe('invalid_input');
    expect(error.message.length).toBeGreaterThan(0);
    expect(receiver.attempts).toEqual([]);
  });

  it('refuses bad JSON with 400', async () => {
    const res = await fetch(`${server.baseUrl}/sandbox/inbound`, { method: 'POST', body: '{' });
    expect(res.status).toBe(400);
  });

  it('injectInbound is the same thing as a function', async () => {
    const { wamid } = await server.sandbox.injectInbound({ from: CUSTOMER, name: 'Dana Levi', text: 'direct' });
    expect(messagesOf(receiver.accepted).map((m) => m.id)).toEqual([wamid]);
    await expect(server.sandbox.injectInbound({ from: 'x', name: 'D', text: 'hi' })).rejects.toMatchObject({ code: 'invalid_input' });
  });
});

describe('retries and load', () => {
  it('status webhooks are retried until the relay recovers, still in order', async () => {
    receiver.refuseWith(503);
    const wamid = await sendText('Statement attached.', 'relay-msg-2');
    await waitFor('a few refused attempts', () => receiver.attempts.length >= 3);
    receiver.refuseWith(null);
    await waitFor('all three statuses', () => statusesOf(receiver.accepted, wamid).length === 3);
    expect(statusesOf(receiver.accepted, wamid)).toEqual(['sent', 'delivered', 'read']);
    // Only "sent" was tried while refused: the chain waits for it.
    expect(new Set(receiver.attempts.slice(0, 3).map((a) => statusesOf([a], wamid)[0]))).toEqual(new Set(['sent']));
  });

  it('never has more than a handful of webhook POSTs in flight', async () => {
    receiver.answerAfter(30);
    const wamids: string[] = [];
    for (let i = 0; i < 12; i++) wamids.push(await sendText(`note ${i}`));
    await waitFor('36 statuses', () => receiver.accepted.length === 36, 15_000);
    expect(receiver.maxConcurrent).toBeGreaterThan(1);
    expect(receiver.maxConcurrent).toBeLessThanOrEqual(8);
    for (const wamid of wamids) expect(statusesOf(receiver.accepted, wamid)).toEqual(['sent', 'delivered', 'read']);
  });
});
