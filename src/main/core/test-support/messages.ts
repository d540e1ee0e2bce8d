// Messages as the relay sends them, for tests of the console core: one shape, so a field added to Message is added once.
import type { Message } from '../../../shared/domain';

/** A customer's text message, delivered, at `at` (epoch ms). */
export function inboundText(id: string, conversationId: string, body: string, at: number): Message {
  return {
    id,
    conversationId,
    direction: 'in',
    content: { type: 'text', body },
    status: 'delivered',
    failure: null,
    replyToId: null,
    senderAgentId: null,
    createdAt: at,
    updatedAt: at,
  };
}
