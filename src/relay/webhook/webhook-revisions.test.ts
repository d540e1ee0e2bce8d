// Edits and deletions through the real POST /webhook: applied in any order of arrival, repeated deliveries harmless;
// devices get the newest version (an edit keeps the earlier ones, a deletion hides everything) and the archive keeps all.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RelayEvent } from '../../shared/protocol-events';
import { startTestRelay, type TestRelay } from '../test-support/relay-harness';
import { deviceView, messageDelivery, person, relayEvents, testWamid, text } from './delivery-kit';

const DANA = person({ waId: '972541234567' });
const T = Date.now() - 60_000;

let t: TestRelay;
beforeEach(async () => {
  t = await startTestRelay();
});
afterEach(() => t.stop());

async function post(body: string): Promise<void> {
  expect((await t.postWebhook(body)).status).toBe(200);
}

const edit = (target: string, body: string, at: number) =>
  messageDelivery(DANA, { type: 'edit', edit: { original_message_id: target, message: { type: 'text', text: { body } } } }, { at });
const revoke = (target: string, at: number) => messageDelivery(DANA, { type: 'revoke', revoke: { original_message_id: target } }, { at });

/** The one message devices hold, and every event that changed it. */
async function theMessage() {
  const events = await relayEvents(t.relay.store);
  const messages = [...deviceView(events).messages.values()];
  expect(messages).toHaveLength(1);
  const updates = events.filter((e): e is Extract<RelayEvent, { kind: 'message.updated' }> => e.kind === 'message.updated');
  return { message: messages[0]!, updates };
}

/** What the relay's own database keeps for the archive. */
function archived(wamid: string): unknown {
  const db = new Database(path.join(t.dataDir, 'relay.db'), { readonly: true });
  try {
    return db.prepare('SELECT content FROM messages WHERE wamid = ?').get(wamid);
  } finally {
    db.close();
  }
}

describe('an edit', () => {
  it('replaces the text and keeps the earlier versions, oldest first; devices get message.updated once per edit', async () => {
    const original = messageDelivery(DANA, text('My account is 1234-5678'), { at: T });
    await post(original.body);
    const first = edit(original.wamid, 'My account is 1234-5679', T + 10_000);
    await post(first.body);
    await post(first.body); // Meta repeats deliveries
    await post(edit(original.wamid, 'My account is 1234-5670', T + 20_000).body);
    const { message, updates } = await theMessage();
    expect(message.content).toEqual({ type: 'text', body: 'My account is 1234-5670' });
    expect(message.edited).toEqual({
      at: Math.floor((T + 20_000) / 1000) * 1000,
      previous: [
        { type: 'text', body: 'My account is 1234-5678' },
        { type: 'text', body: 'My account is 1234-5679' },
      ],
    });
    expect(updates).toHaveLength(2);
  });

  it('arriving before the message, and edits arriving in reverse order, end the same', async () => {
    const wamid = testWamid();
    await post(edit(wamid, 'third', T + 20_000).body);
    await post(edit(wamid, 'second', T + 10_000).body);
    expect(deviceView(await relayEvents(t.relay.store)).messages.size).toBe(0);
    await post(messageDelivery(DANA, text('first'), { at: T, wamid }).body);
    const { message, updates } = await theMessage();
    expect(message.content).toEqual({ type: 'text', body: 'third' });
    expect(message.edited?.previous).toEqual([
      { type: 'text', body: 'first' },
      { type: 'text', body: 'second' },
    ]);
    expect(updates).toEqual([]); // devices first hear of it as it now stands
  });
});

describe('a deletion', () => {
  it('hides the message and every earlier version from agents, while the archive keeps the original', async () => {
    const original = messageDelivery(DANA, text('My card number is 4580 1234 5678 9012'), { at: T });
    await post(original.body);
    await post(edit(original.wamid, 'My card number is 4580 1234 5678 9013', T + 5_000).body);
    const deletion = revoke(original.wamid, T + 10_000);
    await post(deletion.body);
    await post(deletion.body);
    const { message, updates } = await theMessage();
    expect(message.content).toEqual({ type: 'deleted' });
    expect(message.edited).toBeUndefined();
    expect(JSON.stringify(await relayEvents(t.relay.store)).split('4580 1234 5678 9013')).toHaveLength(2); // only in the edit's own update
    expect(updates.at(-1)!.message.content).toEqual({ type: 'deleted' });
    const history = await t.relay.store.history(message.conversationId, undefined, 10);
    expect(history.ok && history.value.items[0]!.content).toEqual({ type: 'deleted' });
    expect(archived(original.wamid)).toEqual({ content: JSON.stringify({ type: 'text', body: 'My card number is 4580 1234 5678 9013' }) });
  });

  it('arriving before the message hides it from the start', async () => {
    const wamid = testWamid();
    await post(revoke(wamid, T + 10_000).body);
    await post(messageDelivery(DANA, text('sent by mistake'), { at: T, wamid }).body);
    const events = await relayEvents(t.relay.store);
    expect(events.filter((e) => e.kind === 'message.created').map((e) => e.kind === 'message.created' && e.message.content)).toEqual([{ type: 'deleted' }]);
    expect(JSON.stringify(events)).not.toContain('sent by mistake');
    expect(archived(wamid)).toEqual({ content: JSON.stringify({ type: 'text', body: 'sent by mistake' }) });
  });
});
