// What a relay holds in 2026, in protocol v2's shapes: customers with and without phone numbers, a group, every new
// content kind, an edit and a deletion — for testing what each protocol version receives.
import type { Conversation, Message, MessageContent } from '../../shared/domain';
import type { RelayEvent } from '../../shared/protocol-events';

const T0 = Date.UTC(2026, 4, 20, 9, 0, 0);

function conversation(id: string, customer: Conversation['customer'], extra: Partial<Conversation> = {}): Conversation {
  return {
    id,
    customer,
    group: null,
    assignedAgentId: null,
    lastInboundAt: T0,
    caseId: null,
    readUpTo: null,
    lastMessageAt: T0,
    createdAt: T0,
    updatedAt: T0,
    ...extra,
  };
}

/** Ids are UUIDv7-shaped, like the relay's. */
export const IDS = {
  dana: '019ae000-0000-7000-8000-000000000001',
  bsuidOnly: '019ae000-0000-7000-8000-000000000002',
  both: '019ae000-0000-7000-8000-000000000003',
  group: '019ae000-0000-7000-8000-000000000004',
  merged: '019ae000-0000-7000-8000-000000000005',
} as const;

export const CONVERSATIONS = {
  /** A customer known by phone number, as in v1. */
  dana: conversation(IDS.dana, { waId: '972541000001', bsuid: null, username: null, name: 'Dana Levi' }),
  /** WhatsApp withholds this customer's number: a BSUID and a username only. */
  bsuidOnly: conversation(IDS.bsuidOnly, { waId: null, bsuid: 'US.13491208655302741918', username: 'noa.k', name: 'Noa' }),
  /** Both identifiers: v1 sees the phone number. */
  both: conversation(IDS.both, { waId: '972541000003', bsuid: 'US.ENT.11815799212886844830', username: null, name: 'Avi' }),
  /** A WhatsApp group: v1 cannot show it. */
  group: conversation(IDS.group, { waId: null, bsuid: null, username: null, name: null }, { group: { id: '120363025246125486', subject: 'Family account' } }),
  /** Merged into `both` after a number change. */
  merged: conversation(IDS.merged, { waId: '972541000005', bsuid: null, name: 'Avi (old number)' }),
} satisfies Record<string, Conversation>;

let counter = 0x100;
function message(conversationId: string, content: MessageContent, extra: Partial<Message> = {}): Message {
  counter += 1;
  const at = T0 + counter * 1_000;
  return {
    id: `019ae000-0000-7000-8000-${counter.toString(16).padStart(12, '0')}`,
    conversationId,
    direction: 'in',
    content,
    status: 'delivered',
    failure: null,
    replyToId: null,
    senderAgentId: null,
    createdAt: at,
    updatedAt: at,
    ...extra,
  };
}

const card: MessageContent = {
  type: 'contacts',
  contacts: [
    {
      name: 'Yossi Mizrahi',
      phones: [{ phone: '+972 54-100-0009', waId: '972541000009', label: 'CELL' }],
      emails: [{ email: 'yossi@example.com', label: 'WORK' }],
      urls: [],
      addresses: [],
    },
  ],
};

const original = message(IDS.dana, { type: 'text', body: 'My account is 12-345-678' });
const mistaken = message(IDS.dana, { type: 'text', body: 'card 4580 0000 0000 0000' });

export const MESSAGES = {
  danaText: message(IDS.dana, { type: 'text', body: 'Hello, I need my March statement' }),
  contactCard: message(IDS.dana, card),
  order: message(IDS.dana, {
    type: 'order',
    catalogId: 'cat-1',
    text: 'Two cheque books',
    items: [{ productId: 'chq-25', quantity: 2, unitPrice: 12.5, currency: 'ILS' }],
  }),
  flowReply: message(IDS.dana, { type: 'interactive_reply', kind: 'flow', title: 'Appointment', fields: [{ label: 'Branch', value: 'Herzl St.' }] }),
  chatOpened: message(IDS.dana, { type: 'system', event: 'chat_opened' }),
  original,
  /** The customer corrected the account number: the newest text, the earlier one kept. */
  edited: {
    ...original,
    content: { type: 'text', body: 'My account is 12-345-679' },
    edited: { at: T0 + 500_000, previous: [original.content] },
    updatedAt: T0 + 500_000,
  },
  mistaken,
  /** The customer deleted it: the content is withheld. */
  deleted: { ...mistaken, content: { type: 'deleted' }, updatedAt: T0 + 600_000 },
  bsuidText: message(IDS.bsuidOnly, { type: 'text', body: 'Hi, this is Noa' }),
  bsuidReply: message(IDS.bsuidOnly, { type: 'text', body: 'Hello Noa, how can we help?' }, { direction: 'out', status: 'sent', senderAgentId: 'ana' }),
  groupText: message(IDS.group, { type: 'text', body: 'Who signs for the family account?' }, { author: { waId: '972541000007', bsuid: null, name: 'Ruth' } }),
  bothText: message(IDS.both, { type: 'text', body: 'New number, same Avi' }),
} satisfies Record<string, Message>;

/** The log, in order, as the store would write it. */
export const EVENTS: readonly RelayEvent[] = [
  { kind: 'message.created', message: MESSAGES.danaText },
  { kind: 'conversation.upserted', conversation: CONVERSATIONS.dana },
  { kind: 'message.created', message: MESSAGES.bsuidText },
  { kind: 'conversation.upserted', conversation: CONVERSATIONS.bsuidOnly },
  { kind: 'message.created', message: MESSAGES.groupText },
  { kind: 'conversation.upserted', conversation: CONVERSATIONS.group },
  { kind: 'message.created', message: MESSAGES.contactCard },
  { kind: 'message.created', message: MESSAGES.order },
  { kind: 'message.created', message: MESSAGES.flowReply },
  { kind: 'message.created', message: MESSAGES.chatOpened },
  { kind: 'message.created', message: MESSAGES.original },
  { kind: 'message.updated', message: MESSAGES.edited },
  { kind: 'message.created', message: MESSAGES.mistaken },
  { kind: 'message.updated', message: MESSAGES.deleted },
  { kind: 'message.created', message: MESSAGES.bsuidReply },
  { kind: 'message.status', messageId: MESSAGES.bsuidReply.id, conversationId: IDS.bsuidOnly, status: 'read', failure: null, at: T0 + 700_000 },
  { kind: 'conversation.upserted', conversation: CONVERSATIONS.merged },
  { kind: 'message.created', message: MESSAGES.bothText },
  { kind: 'conversation.upserted', conversation: CONVERSATIONS.both },
  { kind: 'conversation.removed', conversationId: IDS.merged, mergedInto: IDS.both },
];

/** The conversations the relay holds after EVENTS (the merged one is gone). */
export const HELD_CONVERSATIONS: readonly Conversation[] = [CONVERSATIONS.dana, CONVERSATIONS.bsuidOnly, CONVERSATIONS.both, CONVERSATIONS.group];

/** Each message as it stands after EVENTS, newest copy of each. */
export const HELD_MESSAGES: readonly Message[] = [
  MESSAGES.danaText,
  MESSAGES.contactCard,
  MESSAGES.order,
  MESSAGES.flowReply,
  MESSAGES.chatOpened,
  MESSAGES.edited,
  MESSAGES.deleted,
  MESSAGES.bsuidText,
  { ...MESSAGES.bsuidReply, status: 'read', updatedAt: T0 + 700_000 },
  MESSAGES.groupText,
  MESSAGES.bothText,
];
