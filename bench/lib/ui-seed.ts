// The UI bench's data: many conversations and one very long one, written on the relay and exported as a snapshot
// the console's cache can take through LocalStore.applySnapshot (so ids match, and new messages join the same threads).
import { writeFileSync } from 'node:fs';
import type { Conversation, Message } from '../../src/shared/domain';
import type { RelayStore } from '../../src/relay/store/relay-store';
import type { InboundItem, WebhookBatch } from '../../src/relay/domain/webhook-types';
import { PHONE_NUMBER_ID, customerWaId, messageText } from './generate';

/** A delivery with nothing but messages in it. */
const EMPTY_BATCH: WebhookBatch = { messages: [], revisions: [], statuses: [], accountEvents: [], errors: [], skipped: [] };

export const BIG_CUSTOMER_INDEX = 0;

export interface UiSnapshot {
  conversations: Conversation[];
  messages: Message[];
  head: number;
}

function item(n: number, customer: number, name: string, at: number): InboundItem {
  return {
    wamid: `wamid.ui.${n}`,
    from: { waId: customerWaId(customer), bsuid: null, username: null, profileName: name },
    timestamp: at,
    content: { type: 'text', body: messageText(n) },
    contextWamid: null,
    phoneNumberId: PHONE_NUMBER_ID,
    groupId: null,
  };
}

export async function seedForUi(
  store: RelayStore,
  options: { conversations: number; bigMessages: number; bigName: string; file: string },
): Promise<{ conversations: number; messages: number; head: number }> {
  // One second apart, the newest a minute ago (WhatsApp timestamps are whole seconds).
  const base = Math.floor(Date.now() / 1000) * 1000 - (options.conversations + options.bigMessages + 60) * 1000;
  let n = 0;
  // One message from each other customer, then the long conversation's history (so it is the most recent).
  for (let first = 1; first < options.conversations; first += 500) {
    const items: InboundItem[] = [];
    for (let c = first; c < Math.min(first + 500, options.conversations); c++)
      items.push(item(n++, c, `Customer ${String(c).padStart(4, '0')}`, base + c * 1000));
    await store.recordWebhook({ ...EMPTY_BATCH, messages: items }, Date.now());
  }
  for (let written = 0; written < options.bigMessages; written += 1000) {
    const items: InboundItem[] = [];
    for (let i = written; i < Math.min(written + 1000, options.bigMessages); i++)
      items.push(item(n++, BIG_CUSTOMER_INDEX, options.bigName, base + options.conversations * 1000 + i * 1000));
    await store.recordWebhook({ ...EMPTY_BATCH, messages: items }, Date.now());
  }

  const snapshot: UiSnapshot = { conversations: [], messages: [], head: await store.head() };
  let cursor: string | undefined;
  do {
    const page = await store.listConversations(cursor, 500);
    if (!page.ok) throw new Error(page.error.message);
    snapshot.conversations.push(...page.value.items);
    cursor = page.value.nextCursor ?? undefined;
  } while (cursor !== undefined);
  for (const conversation of snapshot.conversations) {
    let before: string | undefined;
    do {
      const page = await store.history(conversation.id, before, 500);
      if (!page.ok) throw new Error(page.error.message);
      snapshot.messages.push(...page.value.items);
      before = page.value.nextCursor ?? undefined;
    } while (before !== undefined);
  }
  writeFileSync(options.file, JSON.stringify(snapshot));
  return { conversations: snapshot.conversations.length, messages: snapshot.messages.length, head: snapshot.head };
}
