// Rows of the relay database, parsed (never cast) into the shared domain types: one schema per table read.
import { z } from 'zod';
import { MessageContent, MessageStatus, SendFailure, type Conversation, type Message } from '../../shared/domain';
import { jsonColumn } from '../../node-shared/stored-row';
import type { AgentRecord, MediaRecord } from './relay-store';

const Id = z.string().min(1);
const Time = z.number().int();

export const ConversationRow = z.object({
  id: Id,
  wa_id: z.string(),
  customer_name: z.string().nullable(),
  assigned_agent_id: z.string().nullable(),
  last_inbound_at: Time.nullable(),
  case_id: z.string().nullable(),
  read_up_to: Time.nullable(),
  last_message_at: Time,
  created_at: Time,
  updated_at: Time,
});
export type ConversationRow = z.infer<typeof ConversationRow>;

export const MessageRow = z.object({
  id: Id,
  conversation_id: Id,
  direction: z.enum(['in', 'out']),
  wamid: z.string().nullable(),
  content: jsonColumn(MessageContent),
  status: MessageStatus,
  failure: jsonColumn(SendFailure).nullable(),
  reply_to_id: z.string().nullable(),
  sender_agent_id: z.string().nullable(),
  request_hash: z.string().nullable(),
  created_at: Time,
  updated_at: Time,
});
export type MessageRow = z.infer<typeof MessageRow>;

export const AgentRow = z.object({ id: Id, name: z.string(), created_at: Time, revoked_at: Time.nullable() });

export const MediaRow = z.object({
  id: Id,
  wa_media_id: z.string().nullable(),
  origin: z.enum(['inbound', 'upload']),
  mime_type: z.string(),
  file_name: z.string().nullable(),
  size: z.number().int().nullable(),
  sha256: z.string().nullable(),
  state: z.enum(['pending', 'ready', 'failed']),
});
export type MediaRow = z.infer<typeof MediaRow>;

/** A due job, joined with what sending it needs from its message and conversation. */
export const DueJobRow = z.object({
  message_id: Id,
  conversation_id: Id,
  attempts: z.number().int().nonnegative(),
  wa_id: z.string(),
  content: jsonColumn(MessageContent),
  reply_to_id: z.string().nullable(),
  wamid: z.string().nullable(),
});

export const OrphanStatusRow = z.object({ status: MessageStatus, failure: jsonColumn(SendFailure).nullable() });

/** `SELECT count(*) AS n`. */
export const Count = z.object({ n: z.number().int().nonnegative() });

export const EventRow = z.object({ seq: z.number().int().positive(), payload: z.string() });

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
    content: row.content,
    status: row.status,
    failure: row.failure,
    replyToId: row.reply_to_id,
    senderAgentId: row.sender_agent_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toAgentRecord(row: z.infer<typeof AgentRow>): AgentRecord {
  return { id: row.id, name: row.name, createdAt: row.created_at, revokedAt: row.revoked_at };
}

export function toMediaRecord(row: MediaRow): MediaRecord {
  return {
    id: row.id,
    waMediaId: row.wa_media_id,
    origin: row.origin,
    mimeType: row.mime_type,
    fileName: row.file_name,
    size: row.size,
    sha256: row.sha256,
    state: row.state,
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
