// Rows of the relay database (either engine), parsed (never cast) into the shared domain types: one schema per table read.
import { z } from 'zod';
import { MessageContent, MessageStatus, Participant, Role, SendFailure, type Conversation, type Message } from '../../../shared/domain';
import { jsonColumn } from '../../../node-shared/stored-row';
import type { AgentRecord, MediaRecord } from '../relay-store';

const Id = z.string().min(1);
const Time = z.number().int();

/** Every read of a conversation joins its customer (none for a group): see CONVERSATION_SELECT. */
export const ConversationRow = z.object({
  id: Id,
  phone_number_id: z.string(),
  customer_id: z.string().nullable(),
  group_id: z.string().nullable(),
  group_subject: z.string().nullable(),
  wa_id: z.string().nullable(),
  bsuid: z.string().nullable(),
  username: z.string().nullable(),
  profile_name: z.string().nullable(),
  assigned_agent_id: z.string().nullable(),
  assignee_name: z.string().nullable(),
  team_id: Id,
  team_name: z.string(),
  last_inbound_at: Time.nullable(),
  case_id: z.string().nullable(),
  read_up_to: Time.nullable(),
  last_message_at: Time,
  created_at: Time,
  updated_at: Time,
});
export type ConversationRow = z.infer<typeof ConversationRow>;

/** `… WHERE c.<column> = ?` etc.: a conversation with its customer's ids and names, its team's and its assignee's names. */
export const CONVERSATION_SELECT = `SELECT c.*, cu.wa_id, cu.bsuid, cu.username, cu.profile_name, t.name AS team_name, a.name AS assignee_name
  FROM conversations c LEFT JOIN customers cu ON cu.id = c.customer_id JOIN teams t ON t.id = c.team_id LEFT JOIN agents a ON a.id = c.assigned_agent_id`;

/** `… WHERE m.<column> = ?` etc.: a message with its sender's name. */
export const MESSAGE_SELECT = 'SELECT m.*, a.name AS sender_name FROM messages m LEFT JOIN agents a ON a.id = m.sender_agent_id';

export const CustomerRow = z.object({
  id: Id,
  wa_id: z.string().nullable(),
  bsuid: z.string().nullable(),
  username: z.string().nullable(),
  profile_name: z.string().nullable(),
  marketing_opt_out_at: Time.nullable(),
  marketing_changed_at: Time.nullable(),
  created_at: Time,
});
export type CustomerRow = z.infer<typeof CustomerRow>;

/** The customer's edits: `content` holds the newest version, these the earlier ones, oldest first. */
export const Edited = z.object({ at: Time, previous: z.array(MessageContent).max(100) });
export type Edited = z.infer<typeof Edited>;

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
  author: jsonColumn(Participant).nullable(),
  edited: jsonColumn(Edited).nullable(),
  deleted_at: Time.nullable(),
  /** Joined by MESSAGE_SELECT; absent where a row is read without it. */
  sender_name: z.string().nullable().optional(),
});
export type MessageRow = z.infer<typeof MessageRow>;

export const AgentRow = z.object({
  id: Id,
  name: z.string(),
  created_at: Time,
  revoked_at: Time.nullable(),
  role: Role,
  access_version: z.number().int(),
  /** Comma-separated by the query (ids cannot hold commas: EntityId). */
  team_ids: z.string().nullable(),
});

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
  phone_number_id: z.string(),
  attempts: z.number().int().nonnegative(),
  wa_id: z.string().nullable(),
  bsuid: z.string().nullable(),
  group_id: z.string().nullable(),
  content: jsonColumn(MessageContent),
  reply_to_id: z.string().nullable(),
  wamid: z.string().nullable(),
  /** The quoted message's wamid (null until that message has one). */
  reply_to_wamid: z.string().nullable(),
});

export const RevisionRow = z.object({
  wamid: z.string(),
  kind: z.enum(['edit', 'delete']),
  content: jsonColumn(MessageContent).nullable(),
  at: Time,
});
export type RevisionRow = z.infer<typeof RevisionRow>;

export const OrphanStatusRow = z.object({ status: MessageStatus, failure: jsonColumn(SendFailure).nullable() });

/** `SELECT id`. */
export const IdRow = z.object({ id: Id });

/** `SELECT CAST(count(*) AS BIGINT) AS n`. */
export const Count = z.object({ n: z.number().int().nonnegative() });

export const EventRow = z.object({ seq: z.number().int().positive(), payload: z.string() });

/**
 * The v2 shape. Fields v2 added are left out when empty (consumers read undefined as null), so a conversation with a
 * phone-number customer looks exactly as it did in v1. A group's "customer" has no id: the group is the addressee.
 */
export function toConversation(row: ConversationRow): Conversation {
  const customer = {
    waId: row.wa_id,
    ...(row.bsuid !== null && { bsuid: row.bsuid }),
    ...(row.username !== null && { username: row.username }),
    name: row.profile_name,
  };
  return {
    id: row.id,
    customer,
    ...(row.group_id !== null && { group: { id: row.group_id, subject: row.group_subject } }),
    assignedAgentId: row.assigned_agent_id,
    ...(row.assigned_agent_id !== null && { assignedAgent: { id: row.assigned_agent_id, name: row.assignee_name ?? row.assigned_agent_id } }),
    team: { id: row.team_id, name: row.team_name },
    lastInboundAt: row.last_inbound_at,
    caseId: row.case_id,
    readUpTo: row.read_up_to,
    lastMessageAt: row.last_message_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * The message as agents may see it: a deleted one shows `{type: 'deleted'}` and none of its versions (the stored
 * content stays in the row for the archive). Empty v2 fields are left out, as in toConversation.
 */
export function toMessage(row: MessageRow): Message {
  const deleted = row.deleted_at !== null;
  return {
    id: row.id,
    conversationId: row.conversation_id,
    direction: row.direction,
    content: deleted ? { type: 'deleted' } : row.content,
    ...(!deleted && row.edited !== null && { edited: row.edited }),
    ...(row.author !== null && { author: row.author }),
    status: row.status,
    failure: row.failure,
    replyToId: row.reply_to_id,
    senderAgentId: row.sender_agent_id,
    ...(row.sender_agent_id !== null && { sender: { id: row.sender_agent_id, name: row.sender_name ?? row.sender_agent_id } }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toAgentRecord(row: z.infer<typeof AgentRow>): AgentRecord {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    role: row.role,
    teamIds: row.team_ids === null || row.team_ids === '' ? [] : row.team_ids.split(',').sort(),
    accessVersion: row.access_version,
  };
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
