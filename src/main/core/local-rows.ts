// Rows of the console cache read back through schemas (src/node-shared/stored-row.ts): a row that does not parse is an
// error naming its table and column, never a cast.
import { z } from 'zod';
import { Conversation, Message, MessageContent, MessageStatus, Participant, SendFailure } from '../../shared/domain';
import { jsonColumn, parseRow } from '../../node-shared/stored-row';

/** The columns every read of a conversation selects. */
export const CONVERSATION_COLUMNS =
  'c.id, c.wa_id, c.bsuid, c.username, c.customer_name, c.group_id, c.group_subject, c.assigned_agent_id, c.last_inbound_at, c.case_id, c.read_up_to, ' +
  'c.last_message_at, c.created_at, c.updated_at, c.assigned_agent_name, c.team_id, c.team_name';

// Optional parts of the model are left out when the column is NULL, so a conversation or message from before schema 3
// reads back exactly as it was written.
const ConversationRow = z
  .object({
    id: z.string(),
    wa_id: z.string().nullable(),
    bsuid: z.string().nullable(),
    username: z.string().nullable(),
    customer_name: z.string().nullable(),
    group_id: z.string().nullable(),
    group_subject: z.string().nullable(),
    assigned_agent_id: z.string().nullable(),
    last_inbound_at: z.number().int().nullable(),
    case_id: z.string().nullable(),
    read_up_to: z.number().int().nullable(),
    last_message_at: z.number().int(),
    created_at: z.number().int(),
    updated_at: z.number().int(),
    assigned_agent_name: z.string().nullable(),
    team_id: z.string().nullable(),
    team_name: z.string().nullable(),
  })
  .transform((r): z.input<typeof Conversation> => ({
    id: r.id,
    customer: {
      waId: r.wa_id,
      ...(r.bsuid !== null && { bsuid: r.bsuid }),
      ...(r.username !== null && { username: r.username }),
      name: r.customer_name,
    },
    ...(r.group_id !== null && { group: { id: r.group_id, subject: r.group_subject } }),
    assignedAgentId: r.assigned_agent_id,
    ...(r.assigned_agent_id !== null && r.assigned_agent_name !== null && { assignedAgent: { id: r.assigned_agent_id, name: r.assigned_agent_name } }),
    ...(r.team_id !== null && { team: { id: r.team_id, name: r.team_name ?? r.team_id } }),
    lastInboundAt: r.last_inbound_at,
    caseId: r.case_id,
    readUpTo: r.read_up_to,
    lastMessageAt: r.last_message_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }))
  .pipe(Conversation);

export function conversationOf(row: unknown): Conversation {
  return parseRow('conversations', ConversationRow, row);
}

/** The columns every read of a message selects. */
export const MESSAGE_COLUMNS =
  'm.id, m.conversation_id, m.direction, m.content, m.status, m.failure_code, m.failure_message, m.failure_meta_code, m.reply_to_id, m.sender_agent_id, ' +
  'm.created_at, m.updated_at, m.edited, m.author, m.sender_name';

/** A message's earlier versions, as the edited column holds them. */
const Edited = z.object({ at: z.number().int(), previous: z.array(MessageContent).max(100) });

const MessageRow = z
  .object({
    id: z.string(),
    conversation_id: z.string(),
    direction: z.enum(['in', 'out']),
    content: jsonColumn(MessageContent),
    status: MessageStatus,
    failure_code: SendFailure.shape.code.nullable(),
    failure_message: z.string().nullable(),
    failure_meta_code: z.number().int().nullable(),
    reply_to_id: z.string().nullable(),
    sender_agent_id: z.string().nullable(),
    created_at: z.number().int(),
    updated_at: z.number().int(),
    edited: z.union([z.null(), jsonColumn(Edited)]),
    author: z.union([z.null(), jsonColumn(Participant)]),
    sender_name: z.string().nullable(),
  })
  .transform((r): z.input<typeof Message> => ({
    id: r.id,
    conversationId: r.conversation_id,
    direction: r.direction,
    content: r.content,
    status: r.status,
    failure:
      r.failure_code === null
        ? null
        : { code: r.failure_code, message: r.failure_message ?? '', ...(r.failure_meta_code !== null && { metaCode: r.failure_meta_code }) },
    replyToId: r.reply_to_id,
    senderAgentId: r.sender_agent_id,
    ...(r.sender_agent_id !== null && r.sender_name !== null && { sender: { id: r.sender_agent_id, name: r.sender_name } }),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    ...(r.edited !== null && { edited: r.edited }),
    ...(r.author !== null && { author: r.author }),
  }))
  .pipe(Message);

export function messageOf(row: unknown): Message {
  return parseRow('messages', MessageRow, row);
}

/** A message's columns for an INSERT or UPDATE (named parameters). */
export function messageParams(message: Message, searchText: string): Record<string, string | number | null> {
  return {
    id: message.id,
    conversationId: message.conversationId,
    direction: message.direction,
    content: JSON.stringify(message.content),
    status: message.status,
    failureCode: message.failure?.code ?? null,
    failureMessage: message.failure?.message ?? null,
    failureMetaCode: message.failure?.metaCode ?? null,
    replyToId: message.replyToId,
    senderAgentId: message.senderAgentId ?? message.sender?.id ?? null,
    senderName: message.sender?.name ?? null,
    createdAt: message.createdAt,
    updatedAt: message.updatedAt,
    edited: message.edited === undefined || message.edited === null ? null : JSON.stringify(message.edited),
    author: message.author === undefined || message.author === null ? null : JSON.stringify(message.author),
    searchText,
  };
}
