// Events the relay streams to every device, each with a gap-free seq (protocol v1).
import { z } from 'zod';
import { Conversation, EntityId, Message, MessageStatus, SendFailure } from './domain';

export const RelayEvent = z.discriminatedUnion('kind', [
  /** A message appeared: inbound from a customer, or outbound (possibly sent from another device). */
  z.object({ kind: z.literal('message.created'), message: Message }),
  /** An outbound message's status advanced (merged monotonically by the relay). */
  z.object({
    kind: z.literal('message.status'),
    messageId: EntityId,
    conversationId: EntityId,
    status: MessageStatus,
    failure: SendFailure.nullable(),
    at: z.number().int(),
  }),
  /** A conversation was created or changed: customer profile, assignment, window, case link, read pointer. */
  z.object({ kind: z.literal('conversation.upserted'), conversation: Conversation }),
]);
export type RelayEvent = z.infer<typeof RelayEvent>;
export type RelayEventKind = RelayEvent['kind'];
