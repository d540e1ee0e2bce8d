// Request methods of protocol v2 (v1 has the same parameters; its results are frozen in protocol-v1.ts): params and result schemas.
import { z } from 'zod';
import { CaseId, Conversation, EntityId, Message, OutboundContent, Role, TeamRef, Template, WaId } from './domain';
import { isUuidV7 } from './uuidv7';

const PageLimit = z.number().int().min(1).max(500);
const Cursor = z.string().max(256);

export const SendMessageParams = z
  .object({
    /** Minted by the console (UUIDv7) when the message is first saved; becomes the message id. */
    clientMessageId: z.string().refine(isUuidV7, 'clientMessageId must be a UUIDv7'),
    /** Exactly one of conversationId and waId. waId starts a conversation if there is none. */
    conversationId: EntityId.optional(),
    waId: WaId.optional(),
    content: OutboundContent,
    /** Quote this message. */
    replyToId: EntityId.optional(),
  })
  .refine((p) => (p.conversationId === undefined) !== (p.waId === undefined), 'give exactly one of conversationId and waId');

export const METHODS = {
  /** Idempotent on clientMessageId: a repeat returns the first result; a repeat with other content is `conflict`. */
  'messages.send': { params: SendMessageParams, result: z.object({ message: Message }) },
  /** Marks inbound messages read up to and including this one (the customer sees blue ticks). */
  'messages.markRead': {
    params: z.object({ conversationId: EntityId, upToMessageId: EntityId }),
    result: z.object({ conversation: Conversation }),
  },
  /** Newest messages first; pass nextCursor back to page older ones. */
  'messages.history': {
    params: z.object({ conversationId: EntityId, cursor: Cursor.optional(), limit: PageLimit.optional() }),
    result: z.object({ messages: z.array(Message), nextCursor: Cursor.nullable() }),
  },
  /** Most recently active first. `head` is the event seq the page is at least as new as. */
  'conversations.list': {
    params: z.object({ cursor: Cursor.optional(), limit: PageLimit.optional() }),
    result: z.object({ conversations: z.array(Conversation), nextCursor: Cursor.nullable(), total: z.number().int(), head: z.number().int() }),
  },
  'conversations.linkCase': {
    params: z.object({ conversationId: EntityId, caseId: CaseId.nullable() }),
    result: z.object({ conversation: Conversation }),
  },
  /**
   * agentId null releases the conversation to its team. Taking a conversation assigned to someone else needs
   * `takeOver: true` (the agent confirmed): without it the answer is `conflict`, naming the assignee.
   */
  'conversations.assign': {
    params: z.object({ conversationId: EntityId, agentId: EntityId.nullable(), takeOver: z.boolean().optional() }),
    result: z.object({ conversation: Conversation }),
  },
  /** A supervisor of the conversation's team moves it to another team: the old team's devices drop it. (v2) */
  'conversations.transfer': {
    params: z.object({ conversationId: EntityId, teamId: EntityId }),
    result: z.object({ conversation: Conversation }),
  },
  /** Who is who for this agent: their own role and teams, the colleagues in those teams, and every team (for transfers). (v2) */
  'directory.get': {
    params: z.object({}).optional(),
    result: z.object({
      me: z.object({ id: EntityId, name: z.string(), role: Role, teams: z.array(TeamRef) }),
      agents: z.array(z.object({ id: EntityId, name: z.string(), role: Role, teamIds: z.array(EntityId) })),
      teams: z.array(TeamRef),
    }),
  },
  'templates.list': { params: z.object({}).optional(), result: z.object({ templates: z.array(Template) }) },
} as const;

export type MethodName = keyof typeof METHODS;
export type MethodParams<M extends MethodName> = z.infer<(typeof METHODS)[M]['params']>;
export type MethodResult<M extends MethodName> = z.infer<(typeof METHODS)[M]['result']>;

export function isMethodName(value: string): value is MethodName {
  return Object.hasOwn(METHODS, value);
}

/** Response to POST /v1/media. */
export const MediaUploadResult = z.object({
  mediaId: EntityId,
  mimeType: z.string(),
  size: z.number().int(),
  sha256: z.string(),
});
export type MediaUploadResult = z.infer<typeof MediaUploadResult>;
