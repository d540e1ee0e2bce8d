// For the webhook tests: deliveries shaped as Meta sends them (built by the sandbox's own builders), and what devices
// were told about them, read back from the relay's event log.
import type { Conversation, Message } from '../../shared/domain';
import { RelayEvent } from '../../shared/protocol-events';
import type { SandboxPerson } from '../sandbox/customers';
import { inboundWebhookBody, type BusinessIdentity } from '../sandbox/webhook-payloads';
import type { RelayStore } from '../store/relay-store';

/** The test relay's business number (and that of every fixture in test/fixtures/whatsapp). */
export const OUR_NUMBER = '106540352242922';
export const OUR_IDENTITY: BusinessIdentity = { businessAccountId: '102290129340398', phoneNumberId: OUR_NUMBER, displayPhoneNumber: '15550783881' };
/** Another number of the same WhatsApp account, which this relay does not serve. */
export const OTHER_IDENTITY: BusinessIdentity = { ...OUR_IDENTITY, phoneNumberId: '106540352299999', displayPhoneNumber: '15550783999' };

export function person(ids: Partial<SandboxPerson>): SandboxPerson {
  return { waId: null, bsuid: null, username: null, name: 'Dana Levi', ...ids };
}

let sequence = 0;
export function testWamid(): string {
  return `wamid.TEST${Date.now().toString(36)}${(++sequence).toString(36)}`;
}

export interface DeliveryOptions {
  readonly wamid?: string;
  readonly at?: number;
  readonly groupId?: string;
  readonly contextWamid?: string;
  readonly identity?: BusinessIdentity;
}

/** One message from `sender`: `message` is Meta's message object without id, sender and timestamp. */
export function messageDelivery(sender: SandboxPerson, message: Record<string, unknown>, options: DeliveryOptions = {}): { body: string; wamid: string } {
  const wamid = options.wamid ?? testWamid();
  const body = inboundWebhookBody(options.identity ?? OUR_IDENTITY, {
    wamid,
    sender,
    timestampMs: options.at ?? Date.now(),
    message,
    contextWamid: options.contextWamid ?? null,
    groupId: options.groupId ?? null,
  });
  return { body, wamid };
}

export const text = (body: string): Record<string, unknown> => ({ type: 'text', text: { body } });

export async function relayEvents(store: RelayStore): Promise<RelayEvent[]> {
  return (await store.readEvents(0, 100_000)).map((e) => RelayEvent.parse(JSON.parse(e.json)));
}

/** What a device that applied every event holds: the newest copy of each conversation and message, minus removed ones. */
export function deviceView(events: readonly RelayEvent[]): { conversations: Map<string, Conversation>; messages: Map<string, Message> } {
  const conversations = new Map<string, Conversation>();
  const messages = new Map<string, Message>();
  for (const event of events) {
    if (event.kind === 'conversation.upserted') conversations.set(event.conversation.id, event.conversation);
    if (event.kind === 'message.created' || event.kind === 'message.updated') messages.set(event.message.id, event.message);
    if (event.kind === 'message.status') {
      const message = messages.get(event.messageId);
      if (message !== undefined) messages.set(message.id, { ...message, status: event.status, failure: event.failure, updatedAt: event.at });
    }
    if (event.kind === 'conversation.removed') {
      conversations.delete(event.conversationId);
      for (const [id, message] of messages) if (message.conversationId === event.conversationId) messages.delete(id);
    }
  }
  return { conversations, messages };
}

/** The messages a device holds for one conversation, oldest first. */
export function messagesOf(view: ReturnType<typeof deviceView>, conversationId: string): Message[] {
  return [...view.messages.values()].filter((m) => m.conversationId === conversationId).sort((a, b) => a.createdAt - b.createdAt);
}
