// What a branchline.v1 console may be sent, decided purely: v2 shapes in, v1 shapes (or a harmless placeholder) out.
import type { Conversation, Message, MessageContent } from '../../shared/domain';
import type { AppError } from '../../shared/errors';
import type { RelayEvent } from '../../shared/protocol-events';
import {
  ERROR_CODES_V1,
  type ConversationV1,
  type ErrorCodeV1,
  type MessageContentV1,
  type MessageV1,
  type RelayEventV1,
  type WireErrorV1,
} from '../../shared/protocol-v1';

/** The conversation of an id as it stands now; undefined when the relay does not hold it (any more). */
export type ConversationOf = (conversationId: string) => Conversation | undefined;

/**
 * Prefix of the ids a placeholder names. Real message and conversation ids are UUIDv7s (relay- or console-minted), so
 * no console can hold a message with such an id: v1 consoles drop a status for a message they do not know.
 */
export const V1_PLACEHOLDER_PREFIX = 'v1-skipped:';

/** v1 names a customer by phone number and knows no groups: anything else it cannot show. */
export function isExpressibleInV1(conversation: Conversation): boolean {
  return conversation.customer.waId !== null && (conversation.group ?? null) === null;
}

/** The conversation in v1's shape, or null when v1 cannot express it. Fields v1 does not know stay: its parsers drop them. */
export function conversationToV1(conversation: Conversation): ConversationV1 | null {
  const waId = conversation.customer.waId;
  if (waId === null || !isExpressibleInV1(conversation)) return null;
  return { ...conversation, customer: { ...conversation.customer, waId } };
}

/** Content types v1 shipped with pass unchanged; anything newer is `unsupported`, named by its type. */
export function contentToV1(content: MessageContent): MessageContentV1 {
  switch (content.type) {
    case 'text':
    case 'image':
    case 'document':
    case 'audio':
    case 'video':
    case 'sticker':
    case 'location':
    case 'reaction':
    case 'template':
    case 'button_reply':
    case 'unsupported':
      return content;
    default:
      // contacts, order, interactive_reply, system, deleted (its content is withheld from agents on every version).
      return { type: 'unsupported', waType: content.type };
  }
}

/** The message with its content in v1's terms (an edit's earlier versions and a group author are dropped by v1 parsers). */
export function messageToV1(message: Message): MessageV1 {
  return { ...message, content: contentToV1(message.content) };
}

/**
 * Stands in for an event v1 cannot express, so the device's seq stays gap-free and resumable. A `message.status` for a
 * message no console holds: every v1 console ignores a status for a message it does not know. Derived from the seq
 * alone, so a replay after a reconnect sends the very same event.
 */
export function v1Placeholder(seq: number): RelayEventV1 {
  const id = `${V1_PLACEHOLDER_PREFIX}${seq}`;
  return { kind: 'message.status', messageId: id, conversationId: id, status: 'pending', failure: null, at: 0 };
}

/** The conversation ids whose current state decides how these events reach v1 (those of message events). */
export function conversationIdsToLookUp(events: readonly RelayEvent[]): string[] {
  const ids = new Set<string>();
  for (const event of events) {
    if (event.kind === 'message.created' || event.kind === 'message.updated') ids.add(event.message.conversationId);
    else if (event.kind === 'message.status') ids.add(event.conversationId);
  }
  return [...ids];
}

/**
 * One event for a v1 device. A message event follows its conversation as it stands now (a customer whose phone number
 * became known later gets their history); a conversation event carries its own state.
 */
export function eventToV1(seq: number, event: RelayEvent, conversationOf: ConversationOf): RelayEventV1 {
  const expressible = (conversationId: string): boolean => {
    const conversation = conversationOf(conversationId);
    return conversation !== undefined && isExpressibleInV1(conversation);
  };
  switch (event.kind) {
    case 'message.created':
    case 'message.updated':
      // v1 consoles replace the stored copy of a message they receive again: an edit or a deletion is a re-creation.
      return expressible(event.message.conversationId) ? { kind: 'message.created', message: messageToV1(event.message) } : v1Placeholder(seq);
    case 'message.status':
      return expressible(event.conversationId) ? event : v1Placeholder(seq);
    case 'conversation.upserted': {
      const conversation = conversationToV1(event.conversation);
      return conversation === null ? v1Placeholder(seq) : { kind: 'conversation.upserted', conversation };
    }
    case 'conversation.removed':
      // v1 cannot drop a conversation: its console keeps showing it until its next resync.
      return v1Placeholder(seq);
    case 'events.skipped':
      // Never stored (a v2 device's filler); v1 devices get a placeholder per seq instead.
      return v1Placeholder(seq);
  }
}

const V1_CODES: ReadonlySet<string> = new Set(ERROR_CODES_V1);

function isV1Code(code: string): code is ErrorCodeV1 {
  return V1_CODES.has(code);
}

/** An error in v1's codes: one added after v1 becomes `internal`, its message naming the code. */
export function errorToV1(error: AppError): WireErrorV1 {
  if (isV1Code(error.code)) return { code: error.code, message: error.message, retryable: error.retryable };
  return { code: 'internal', message: `${error.code}: ${error.message}`.slice(0, 2_000), retryable: error.retryable };
}
