// The conversation and message model shared by relay, console core and renderer (zod schemas + types).
import { z } from 'zod';

/** A WhatsApp id: the customer's phone number in international form, digits only. */
export const WaId = z.string().regex(/^\d{6,20}$/, 'a WhatsApp id is 6 to 20 digits');

/**
 * A business-scoped user id (BSUID): WhatsApp's id for one user within one business portfolio, e.g.
 * `US.13491208655302741918`, or `US.ENT.11815799212886844830` for a parent BSUID. Since 2026 a user who takes a
 * username may reach the business by BSUID alone; it changes when the user changes their phone number.
 */
export const Bsuid = z.string().regex(/^[A-Z]{2}(\.ENT)?\.[A-Za-z0-9]{1,128}$/, 'a BSUID is a country code, a dot and up to 128 letters or digits');

/**
 * Who a conversation is with. WhatsApp gives the phone number, the BSUID, or both (and a username when the user took
 * one); at least one of `waId` and `bsuid` is present for a person. A group conversation has neither (see `group`).
 * `name` is the profile name, already neutralised for display by the relay (no bidi overrides or invisible characters).
 */
export const Customer = z.object({
  waId: WaId.nullable(),
  bsuid: Bsuid.nullable().optional(),
  username: z.string().max(100).nullable().optional(),
  name: z.string().max(256).nullable(),
});
export type Customer = z.infer<typeof Customer>;

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

/** What an agent may do (need-to-know): agents work their teams' conversations; supervisors also transfer and reassign
 * them; admins manage teams, numbers and agents and see no customer content by default. */
export const Role = z.enum(['agent', 'supervisor', 'admin']);
export type Role = z.infer<typeof Role>;

/** A team (a branch, a back-office queue) or an agent, by id and the name people know it by. */
export const TeamRef = z.object({ id: EntityId, name: z.string().max(200) });
export type TeamRef = z.infer<typeof TeamRef>;
export const AgentRef = z.object({ id: EntityId, name: z.string().max(200) });
export type AgentRef = z.infer<typeof AgentRef>;

/** Who wrote a message in a group conversation. */
export const Participant = z.object({ waId: WaId.nullable(), bsuid: Bsuid.nullable(), name: z.string().max(256).nullable() });
export type Participant = z.infer<typeof Participant>;

/** One shared contact card, as WhatsApp describes it (every part optional but the name). */
export const ContactCard = z.object({
  name: z.string().max(1_024),
  organization: z.string().max(1_024).optional(),
  phones: z.array(z.object({ phone: z.string().max(64), waId: WaId.optional(), label: z.string().max(64).optional() })).max(50),
  emails: z.array(z.object({ email: z.string().max(512), label: z.string().max(64).optional() })).max(50),
  urls: z.array(z.object({ url: z.string().max(2_048), label: z.string().max(64).optional() })).max(50),
  addresses: z.array(z.object({ text: z.string().max(2_048), label: z.string().max(64).optional() })).max(50),
  birthday: z.string().max(32).optional(),
});
export type ContactCard = z.infer<typeof ContactCard>;

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
  /** Contact cards the customer shared (names, phones, e-mails …). */
  z.object({ type: z.literal('contacts'), contacts: z.array(ContactCard).min(1).max(100) }),
  /** An order from the business's catalog: items with quantities and unit prices (the total is derived). */
  z.object({
    type: z.literal('order'),
    catalogId: z.string().max(256),
    text: z.string().max(MAX_INBOUND_TEXT_LENGTH).optional(),
    items: z
      .array(z.object({ productId: z.string().max(256), quantity: z.number().nonnegative(), unitPrice: z.number(), currency: z.string().max(8) }))
      .max(1_000),
  }),
  /**
   * An answer to an interactive message other than a button: a WhatsApp Flow (`nfm_reply`, its answers as label/value
   * pairs), a call-permission reply, or another kind, kept with whatever fields it carried.
   */
  z.object({
    type: z.literal('interactive_reply'),
    kind: z.enum(['flow', 'call_permission', 'other']),
    title: z.string().max(1_024).optional(),
    fields: z.array(z.object({ label: z.string().max(256), value: z.string().max(MAX_INBOUND_TEXT_LENGTH) })).max(200),
  }),
  /**
   * Something that happened rather than something said: the customer opened the chat (`request_welcome`), changed
   * their number (`newWaId`), their BSUID changed (`newBsuid`), or their security identity changed.
   */
  z.object({
    type: z.literal('system'),
    event: z.enum(['chat_opened', 'number_changed', 'user_id_changed', 'identity_changed', 'other']),
    text: z.string().max(4_096).optional(),
    newWaId: WaId.optional(),
    newBsuid: Bsuid.optional(),
  }),
  /** The customer deleted this message: its content is kept for the archive only, never shown to agents. */
  z.object({ type: z.literal('deleted') }),
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
  /** The same agent with their name, so every console can say "You" or the colleague's name. */
  sender: AgentRef.nullable().optional(),
  /** Milliseconds since the epoch: when the customer sent it, or when the agent pressed Send. */
  createdAt: z.number().int(),
  /** Last status change. */
  updatedAt: z.number().int(),
  /** The customer edited it: `content` is the newest version, `previous` the earlier ones, oldest first. */
  edited: z
    .object({ at: z.number().int(), previous: z.array(MessageContent).max(100) })
    .nullable()
    .optional(),
  /** In a group conversation: who wrote it. */
  author: Participant.nullable().optional(),
});
export type Message = z.infer<typeof Message>;

export const Conversation = z.object({
  id: EntityId,
  customer: Customer,
  /** A WhatsApp group the business takes part in: replies go to the group, never to one participant privately. */
  group: z
    .object({ id: z.string().min(1).max(256), subject: z.string().max(256).nullable() })
    .nullable()
    .optional(),
  assignedAgentId: EntityId.nullable(),
  /** The assignee with their name (v2 with need-to-know; absent from older producers). */
  assignedAgent: AgentRef.nullable().optional(),
  /** The team that owns the conversation: its number's team until a supervisor transfers it. */
  team: TeamRef.optional(),
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
