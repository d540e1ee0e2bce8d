// Events the relay streams to every device, each with a gap-free seq (protocol v2; v1's frozen shapes are in protocol-v1.ts).
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
  /**
   * A message changed after it was created: the customer edited it (`edited` holds the earlier versions) or deleted it
   * (content `{type: 'deleted'}`). Applied like message.created: the newer copy replaces the stored one. (v2)
   */
  z.object({ kind: z.literal('message.updated'), message: Message }),
  /** A conversation was created or changed: customer profile, assignment, window, case link, read pointer. */
  z.object({ kind: z.literal('conversation.upserted'), conversation: Conversation }),
  /**
   * A conversation is gone from this device: merged into another (`mergedInto`, e.g. after the customer's number change
   * brought two identities together), and later for other reasons. Drop it and its messages from the cache. (v2)
   */
  z.object({ kind: z.literal('conversation.removed'), conversationId: EntityId, mergedInto: EntityId.nullable() }),
  /**
   * Nothing for this device from `fromSeq` up to this event's own `seq`: events about conversations its agent may not
   * see. Keeps the per-device stream gap-free without telling it anything about them. The next event is `seq + 1`. (v2)
   */
  z.object({ kind: z.literal('events.skipped'), fromSeq: z.number().int().nonnegative() }),
]);
export type RelayEvent = z.infer<typeof RelayEvent>;
export type RelayEventKind = RelayEvent['kind'];
