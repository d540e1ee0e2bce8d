// Messages and conversations as the relay sends them, for tests of the console core: one shape, so a field added to Message or Conversation is added once.
import type { Conversation, Message } from '../../../shared/domain';

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

/** Dana's conversation, unassigned, opened an hour before `now` and last written to by her a minute before it; `extra` overrides any field. */
export function customerConversation(id: string, now: number, extra: Partial<Conversation> = {}): Conversation {
  return {
    id,
    customer: { waId: '972541234567', name: 'Dana Levi' },
    assignedAgentId: null,
    lastInboundAt: now - 60_000,
    caseId: null,
    readUpTo: null,
    lastMessageAt: now - 60_000,
    createdAt: now - 3_600_000,
    updatedAt: now - 60_000,
    ...extra,
  };
}
