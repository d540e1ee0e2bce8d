// The conversation and message model shared by relay, console core and renderer (zod schemas + types).
import { z } from 'zod';

/** A WhatsApp id: the customer's phone number in international form, digits only. */
export const WaId = z.string().regex(/^\d{6,20}$/, 'a WhatsApp id is 6 to 20 digits');

/** Ids we mint (UUIDv7) or accept from a client; never path-like, never huge. */
export const EntityId = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'ids are 1 to 128 letters, digits or . _ : -');

/** What an agent may send as free text: WhatsApp caps business messages at 4,096 characters. */
export const MAX_TEXT_LENGTH = 4096;
/** What a customer may send: WhatsApp clients allow up to 65,536 characters. */
export const MAX_INBOUND_TEXT_LENGTH = 65_536;

export const MESSAGE_STATUSES = ['queued', 'pending', 'sent', 'failed', 'delivered', 'read'] as const;
/**
 * queued: saved on the console, not yet taken by the relay. pending: the relay holds it durably.
 * sent: WhatsApp accepted it. delivered / read: the customer's phone confirmed. failed: see error.
 */
export const MessageStatus = z.enum(MESSAGE_STATUSES);
export type MessageStatus = z.infer<typeof MessageStatus>;

/** Why a message failed, in terms the agent can act on, plus Meta's own code where there is one. */
export const SendFailure = z.object({
  code: z.enum(['template_required', 'undeliverable', 'media_too_large', 'media_type_unsupported', 'invalid_input', 'rejected']),
  message: z.string().max(1_000),
  metaCode: z.number().int().optional(),
});
export type SendFailure = z.infer<typeof SendFailure>;

/** A template as the agent fills it in: Meta's name and language code, and the body's {{1}}, {{2}} … values. */
export const TemplateFields = {
  name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'a template name is 1 to 512 lower-case letters, digits or _'),
  language: z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'a template language is a code such as en or en_US'),
  parameters: z.array(z.string().min(1).max(1_024)).max(20),
};
const TemplateContent = z.object({ type: z.literal('template'), ...TemplateFields });

const MediaFields = {
  /** The relay's media id: fetch bytes from GET /v1/media/{mediaId}. */
  mediaId: EntityId,
  mimeType: z.string().max(255),
  fileName: z.string().max(255).optional(),
  size: z.number().int().nonnegative().optional(),
  caption: z.string().max(MAX_INBOUND_TEXT_LENGTH).optional(),
};

export const MessageContent = z.discriminatedUnion('type', [
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
export type MessageContent = z.infer<typeof MessageContent>;
export type MessageType = MessageContent['type'];

/** What an agent may send (the rest only arrives from customers). */
export const OutboundContent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), body: z.string().min(1).max(MAX_TEXT_LENGTH) }),
  z.object({ type: z.literal('image'), mediaId: EntityId, caption: z.string().max(1_024).optional() }),
  z.object({ type: z.literal('document'), mediaId: EntityId, fileName: z.string().min(1).max(255).optional(), caption: z.string().max(1_024).optional() }),
  TemplateContent,
]);
export type OutboundContent = z.infer<typeof OutboundContent>;

export const Message = z.object({
  id: EntityId,
  conversationId: EntityId,
  direction: z.enum(['in', 'out']),
  content: MessageContent,
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
export type Message = z.infer<typeof Message>;

export const Conversation = z.object({
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
export type Conversation = z.infer<typeof Conversation>;

export const CaseId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/, 'a case id is 1 to 64 letters, digits or . _ / -');

export const Template = z.object({
  name: z.string(),
  language: z.string(),
  category: z.string(),
  /** The body text with {{1}}, {{2}} … placeholders. */
  body: z.string(),
  parameterCount: z.number().int().nonnegative(),
});
export type Template = z.infer<typeof Template>;
