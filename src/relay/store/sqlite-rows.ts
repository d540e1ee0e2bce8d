// Row shapes of the relay database and their mapping to the shared domain types.
import type { Conversation, Message, MessageContent, MessageStatus, SendFailure } from '../../shared/domain';

export interface ConversationRow {
  id: string;
  wa_id: string;
  customer_name: string | null;
  assigned_agent_id: string | null;
  last_inbound_at: number | null;
  case_id: string | null;
  read_up_to: number | null;
  last_message_at: number;
  created_at: number;
  updated_at: number;
}

export interface MessageRow {
  id: string;
  conversation_id: string;
  direction: 'in' | 'out';
  wamid: string | null;
  content: string;
  status: MessageStatus;
  failure: string | null;
  reply_to_id: string | null;
  sender_agent_id: string | null;
  request_hash: string | null;
  created_at: number;
  updated_at: number;
}

export function toConversation(row: ConversationRow): Conversation {
  return {
    id: row.id,
    customer: { waId: row.wa_id, name: row.customer_name },
    assignedAgentId: row.assigned_agent_id,
    lastInboundAt: row.last_inbound_at,
    caseId: row.case_id,
    readUpTo: row.read_up_to,
    lastMessageAt: row.last_message_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    direction: row.direction,
    content: JSON.parse(row.content) as MessageContent,
    status: row.status,
    failure: row.failure === null ? null : (JSON.parse(row.failure) as SendFailure),
    replyToId: row.reply_to_id,
    senderAgentId: row.sender_agent_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Keyset cursors: "<time>:<id>", opaque to clients but checked when they come back. */
export function encodeCursor(time: number, id: string): string {
  return `${time}:${id}`;
}

export function decodeCursor(cursor: string): { time: number; id: string } | null {
  const match = /^(-?\d{1,16}):([A-Za-z0-9._:-]{1,128})$/.exec(cursor);
  if (match === null) return null;
  return { time: Number(match[1]), id: match[2]! };
}
