// The sandbox plays WhatsApp as it is in 2026, through the real relay: customers known by BSUID alone, every message
// kind Meta documents (or a raw Meta message), edits and deletions, groups, and replies that reach them.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Message } from '../../shared/domain';
import { uuidv7 } from '../../shared/uuidv7';
import { startTestRelay, waitFor, type TestRelay } from '../test-support/relay-harness';
import { deviceView, messagesOf, relayEvents } from '../webhook/delivery-kit';

const BSUID = 'US.13491208655302741918';
const PHONE = '972541234567';
const GROUP = 'Y2FwaV9ncm91cDoxNzA1NTU1MDEzOToxMjAzNjM0MDQ2OTQyMzM4MjAZD';
const Wamid = z.object({ wamid: z.string() });
const Ledger = z.object({ messages: z.array(z.looseObject({ to: z.string(), text: z.string().optional(), toKind: z.string().optional() })) });

let t: TestRelay;
beforeEach(async () => {
  t = await startTestRelay({ sandbox: true, overrides: { sandboxTiming: { statusDelayMs: 5, replyDelayMs: 20, webhookRetryMs: 20 } } });
});
afterEach(() => t.stop());

async function inbound(body: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${t.relay.url}/sandbox/inbound`, { method: 'POST', body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return Wamid.parse(await res.json()).wamid;
}

async function view() {
  return deviceView(await relayEvents(t.relay.store));
}

async function reply(conversationId: string, body: string): Promise<Message> {
  const sent = await t.relay.store.acceptSend({
    agentId: 'ana',
    params: { clientMessageId: uuidv7(), conversationId, content: { type: 'text', body } },
    requestHash: body,
    now: Date.now(),
    phoneNumberId: t.config.whatsapp.phoneNumberId,
    phoneNumberOnly: false,
  });
  if (!sent.ok) throw new Error(sent.error.message);
  return sent.value;
}

const ledger = async (to: string) => Ledger.parse(await (await fetch(`${t.relay.url}/sandbox/outbound?to=${encodeURIComponent(to)}`)).json()).messages;

describe('POST /sandbox/inbound in 2026', () => {
  it('plays a customer known by BSUID alone; the reply reaches them by BSUID and their phone reports it read', async () => {
    await inbound({ bsuid: BSUID, username: 'danalevi', name: 'Dana Levi', text: 'Is my card ready?' });
    const [conversation] = (await view()).conversations.values();
    expect(conversation!.customer).toEqual({ waId: null, bsuid: BSUID, username: 'danalevi', name: 'Dana Levi' });
    const sent = await reply(conversation!.id, 'Yes: pick it up at the Herzl St. branch. Today?');
    await waitFor('read', async () => ((await view()).messages.get(sent.id)?.status === 'read' ? true : undefined));
    expect(await ledger(BSUID)).toEqual([expect.objectContaining({ to: BSUID, toKind: 'bsuid', text: 'Yes: pick it up at the Herzl St. branch. Today?' })]);
    // The customer answers the question, still without a phone number.
    await waitFor('the answer', async () => (messagesOf(await view(), conversation!.id).length === 3 ? true : undefined));
    expect((await view()).conversations.size).toBe(1);
  });

  it.each([
    [{ kind: 'contacts' }, 'contacts'],
    [{ kind: 'order', text: 'For the branch opening' }, 'order'],
    [{ kind: 'flow' }, 'interactive_reply'],
    [{ kind: 'location' }, 'location'],
    [{ kind: 'request_welcome' }, 'system'],
    [{ message: { type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'yes', title: 'Yes, confirm' } } } }, 'button_reply'],
  ])('posts %j as Meta would, and the relay stores a %s message', async (what, type) => {
    await inbound({ from: PHONE, name: 'Dana Levi', ...what });
    const [message, ...others] = (await view()).messages.values();
    expect(others).toEqual([]);
    expect(message!.content.type).toBe(type);
  });

  it('edits and deletes an earlier message by its wamid', async () => {
    const first = await inbound({ from: PHONE, name: 'Dana Levi', text: 'My account is 1234-5678' });
    const second = await inbound({ from: PHONE, name: 'Dana Levi', text: 'My card is 4580 1234 5678 9012' });
    await inbound({ from: PHONE, name: 'Dana Levi', kind: 'edit', targetWamid: first, text: 'My account is 1234-5679' });
    await inbound({ from: PHONE, name: 'Dana Levi', kind: 'delete', targetWamid: second });
    const [conversation] = (await view()).conversations.values();
    const [edited, deleted] = messagesOf(await view(), conversation!.id);
    expect(edited).toMatchObject({
      content: { type: 'text', body: 'My account is 1234-5679' },
      edited: { previous: [{ type: 'text', body: 'My account is 1234-5678' }] },
    });
    expect(deleted!.content).toEqual({ type: 'deleted' });
  });

  it('plays a group: the message lands in the group’s conversation, and a reply goes to the group', async () => {
    await inbound({ from: PHONE, name: 'Dana Levi', text: 'Can the branch open at 8 on Friday?', groupId: GROUP });
    const [conversation] = (await view()).conversations.values();
    expect(conversation!.group).toEqual({ id: GROUP, subject: null });
    const sent = await reply(conversation!.id, 'Yes, from 8:00.');
    await waitFor('sent', async () => ((await view()).messages.get(sent.id)?.status === 'read' ? true : undefined));
    expect(await ledger(GROUP)).toEqual([expect.objectContaining({ to: GROUP, toKind: 'group', text: 'Yes, from 8:00.' })]);
    expect(await ledger(PHONE)).toEqual([]);
  });

  it.each([
    ['nobody writing', { name: 'D', text: 'hi' }],
    ['a malformed BSUID', { bsuid: 'not-a-bsuid', name: 'D', text: 'hi' }],
    ['an edit without its target', { from: PHONE, name: 'D', kind: 'edit', text: 'x' }],
    ['an unknown kind', { from: PHONE, name: 'D', kind: 'hologram' }],
    ['both a kind and a raw message', { from: PHONE, name: 'D', kind: 'contacts', message: { type: 'text', text: { body: 'x' } } }],
    ['a raw message without a type', { from: PHONE, name: 'D', message: { text: { body: 'x' } } }],
  ])('refuses %s with 400, naming the field', async (_what, body) => {
    const res = await fetch(`${t.relay.url}/sandbox/inbound`, { method: 'POST', body: JSON.stringify(body) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_input', message: expect.stringMatching(/"/) } });
  });
});
