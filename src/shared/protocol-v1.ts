// Protocol v1's model and frames, frozen as they shipped (Branchline 0.1): the relay still serves branchline.v1 consoles
// during a roll-out and converts what it sends them to these shapes (src/relay/domain/v1-encoding.ts). Never change a
// shape here: a new field or type goes into domain.ts and a new protocol version.
import { z } from 'zod';
import { EntityId, MAX_INBOUND_TEXT_LENGTH, MessageStatus, SendFailure, TemplateFields, WaId } from './domain';

const TemplateContent = z.object({ type: z.literal('template'), ...TemplateFields });

const MediaFields = {
  /** The relay's media id: fetch bytes from GET /v1/media/{mediaId}. */
  mediaId: EntityId,
  mimeType: z.string().max(255),
  fileName: z.string().max(255).optional(),
  size: z.number().int().nonnegative().optional(),
  caption: z.string().max(MAX_INBOUND_TEXT_LENGTH).optional(),
};

export const MessageContentV1 = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), body: z.string().max(MAX_INBOUND_TEXT_LENGTH) }),
  z.object({ type: z.literal('image'), ...MediaFields }),
  z.object({ type: z.literal('document'), ...MediaFields }),
  z.object({ type: z.literal('audio'), ...MediaFields, voice: z.boolean().optional() }),
  z.object({ type: z.literal('video'), ...MediaFields }),
  z.object({ type: z.literal('sticker'), ...MediaFields }),
  z.object({
    type: z.literal('location'),
    latitude: z.number().min(-90).max(90),
    longitude: z.number().min(-180).max(180),
    name: z.string().max(1_000).optional(),
    address: z.string().max(1_000).optional(),
  }),
  z.object({
    type: z.literal('reaction'),
    /** Empty when the customer removed their reaction. */
    emoji: z.string().max(32),
    targetMessageId: EntityId.nullable(),
  }),
  TemplateContent,
  /** A tap on a template's quick-reply button, or on an interactive list/button. */
  z.object({ type: z.literal('button_reply'), text: z.string().max(1_024), payload: z.string().max(1_024).optional() }),
  /** Anything WhatsApp sends that we do not render: kept, never dropped. */
  z.object({ type: z.literal('unsupported'), waType: z.string().max(64) }),
]);
export type MessageContentV1 = z.infer<typeof MessageContentV1>;
export const MessageV1 = z.object({
  id: EntityId,
  conversationId: EntityId,
  direction: z.enum(['in', 'out']),
  content: MessageContentV1,
  status: MessageStatus,
  failure: SendFailure.nullable(),
  /** The message this one quotes, when we know it. */
  replyToId: EntityId.nullable(),
  /** The agent who sent it (outbound only). */
  senderAgentId: EntityId.nullable(),
  /** Milliseconds since the epoch: when the customer sent it, or when the agent pressed Send. */
  createdAt: z.number().int(),
  /** Last status change. */
  updatedAt: z.number().int(),
});
export type MessageV1 = z.infer<typeof MessageV1>;

export const ConversationV1 = z.object({
  id: EntityId,
  customer: z.object({ waId: WaId, name: z.string().max(256).nullable() }),
  assignedAgentId: EntityId.nullable(),
  /** When the customer last wrote: the 24-hour window runs from here. */
  lastInboundAt: z.number().int().nullable(),
  /** Bank case this conversation is linked to. */
  caseId: z.string().max(64).nullable(),
  /** Time of the newest inbound message the business has marked read (blue ticks sent). */
  readUpTo: z.number().int().nullable(),
  lastMessageAt: z.number().int().nullable(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type ConversationV1 = z.infer<typeof ConversationV1>;

export const RelayEventV1 = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('message.created'), message: MessageV1 }),
  z.object({
    kind: z.literal('message.status'),
    messageId: EntityId,
    conversationId: EntityId,
    status: MessageStatus,
    failure: SendFailure.nullable(),
    at: z.number().int(),
  }),
  z.object({ kind: z.literal('conversation.upserted'), conversation: ConversationV1 }),
]);
export type RelayEventV1 = z.infer<typeof RelayEventV1>;

// ---- frames and method results, relay → v1 client ----

/** The error codes v1 shipped with: a code added later reaches a v1 console as `internal` (the message says which). */
export const ERROR_CODES_V1 = [
  'invalid_input',
  'payload_too_large',
  'unsupported_version',
  'unknown_method',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'resync_required',
  'template_required',
  'undeliverable',
  'media_too_large',
  'media_type_unsupported',
  'rate_limited',
  'timeout',
  'unavailable',
  'offline',
  'tls_failure',
  'storage_full',
  'storage_readonly',
  'internal',
] as const;
export type ErrorCodeV1 = (typeof ERROR_CODES_V1)[number];

export const WireErrorV1 = z.object({ code: z.enum(ERROR_CODES_V1), message: z.string().max(2_000), retryable: z.boolean() });
export type WireErrorV1 = z.infer<typeof WireErrorV1>;

const SeqV1 = z.number().int().nonnegative();
const RequestIdV1 = z.string().min(1).max(64);

export const HelloFrameV1 = z.object({
  type: z.literal('hello'),
  protocol: z.literal(1),
  sessionId: z.string(),
  agent: z.object({ id: z.string(), name: z.string() }),
  deviceId: z.string(),
  head: SeqV1,
  oldest: SeqV1,
  mode: z.enum(['resume', 'resync']),
  heartbeatMs: z.number().int().positive(),
  deadAfterMs: z.number().int().positive(),
  maxFrameBytes: z.number().int().positive(),
  eventWindow: z.number().int().positive(),
});
export type HelloFrameV1 = z.infer<typeof HelloFrameV1>;

export const SequencedEventV1 = z.object({ seq: SeqV1, event: RelayEventV1 });
export const EventsFrameV1 = z.object({ type: z.literal('events'), events: z.array(SequencedEventV1).min(1) });
export const ResponseFrameV1 = z.discriminatedUnion('ok', [
  z.object({ type: z.literal('res'), id: RequestIdV1, ok: z.literal(true), result: z.unknown() }),
  z.object({ type: z.literal('res'), id: RequestIdV1, ok: z.literal(false), error: WireErrorV1 }),
]);
export const ErrorFrameV1 = z.object({ type: z.literal('error'), error: WireErrorV1 });
export const ServerFrameV1 = z.union([
  HelloFrameV1,
  EventsFrameV1,
  ResponseFrameV1,
  ErrorFrameV1,
  z.object({ type: z.literal('ping') }),
  z.object({ type: z.literal('pong') }),
]);
export type ServerFrameV1 = z.infer<typeof ServerFrameV1>;

/** What each v1 method answered (the params are unchanged in v2). */
export const METHOD_RESULTS_V1 = {
  'messages.send': z.object({ message: MessageV1 }),
  'messages.markRead': z.object({ conversation: ConversationV1 }),
  'messages.history': z.object({ messages: z.array(MessageV1), nextCursor: z.string().max(256).nullable() }),
  'conversations.list': z.object({
    conversations: z.array(ConversationV1),
    nextCursor: z.string().max(256).nullable(),
    total: z.number().int(),
    head: z.number().int(),
  }),
  'conversations.linkCase': z.object({ conversation: ConversationV1 }),
  'conversations.assign': z.object({ conversation: ConversationV1 }),
  'templates.list': z.object({
    templates: z.array(
      z.object({ name: z.string(), language: z.string(), category: z.string(), body: z.string(), parameterCount: z.number().int().nonnegative() }),
    ),
  }),
} as const;
export type MethodNameV1 = keyof typeof METHOD_RESULTS_V1;
