// The words of a message: what the search index holds and what the conversation list and notifications preview.
import type { Conversation, MessageContent } from '../../../shared/domain';

type Content<T extends MessageContent['type']> = Extract<MessageContent, { type: T }>;

const words = (parts: readonly (string | undefined | null)[]): string => parts.filter((s): s is string => s !== undefined && s !== null && s !== '').join(' ');

/** Text worth finding a message by: bodies, captions, file names, shared contacts, answers; never a deleted message's. */
export function searchTextOf(content: MessageContent): string {
  switch (content.type) {
    case 'text':
      return content.body;
    case 'image':
    case 'video':
    case 'document':
    case 'audio':
    case 'sticker':
      return words([content.caption, content.fileName]);
    case 'location':
      return words([content.name, content.address]);
    case 'template':
      return content.parameters.join(' ');
    case 'button_reply':
      return content.text;
    case 'contacts':
      return words(content.contacts.flatMap((c) => [c.name, c.organization, ...c.phones.map((p) => p.phone), ...c.emails.map((e) => e.email)]));
    case 'order':
      return words([content.text, ...content.items.map((i) => i.productId)]);
    case 'interactive_reply':
      return words([content.title, ...content.fields.flatMap((f) => [f.label, f.value])]);
    case 'system':
      return content.text ?? '';
    default:
      return '';
  }
}

/** An order's total per currency, e.g. "1,250.00 EUR" (items in several currencies are listed one after another). */
export function orderTotal(content: Content<'order'>): string {
  const totals = new Map<string, number>();
  for (const item of content.items) totals.set(item.currency, (totals.get(item.currency) ?? 0) + item.quantity * item.unitPrice);
  const amount = (n: number) => n.toLocaleString('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return [...totals].map(([currency, total]) => `${amount(total)} ${currency}`).join(' + ');
}

const SYSTEM: Record<Content<'system'>['event'], string> = {
  chat_opened: 'Customer opened the chat',
  number_changed: 'Customer changed their phone number',
  user_id_changed: 'Customer’s WhatsApp user id changed',
  identity_changed: 'Customer’s security code changed',
  other: 'WhatsApp notice',
};

/** A system line in words ("Customer changed their phone number to +44 …"). */
export function systemText(content: Content<'system'>): string {
  if (content.event === 'number_changed' && content.newWaId !== undefined) return `Customer changed their phone number to +${content.newWaId}`;
  if (content.event === 'other' && content.text !== undefined && content.text !== '') return content.text;
  return SYSTEM[content.event];
}

const LABELS: Record<'image' | 'video' | 'document' | 'audio' | 'sticker' | 'location' | 'unsupported', string> = {
  image: 'Photo',
  video: 'Video',
  document: 'Document',
  audio: 'Audio',
  sticker: 'Sticker',
  location: 'Location',
  unsupported: 'Unsupported message',
};

function previewText(content: MessageContent): string {
  switch (content.type) {
    case 'text':
      return content.body;
    case 'reaction':
      return content.emoji === '' ? 'Removed a reaction' : `Reacted ${content.emoji}`;
    case 'template':
      return `Template: ${content.name}`;
    case 'button_reply':
      return content.text;
    case 'contacts':
      return `${content.contacts.length === 1 ? 'Contact' : 'Contacts'}: ${content.contacts.map((c) => c.name).join(', ')}`;
    case 'order': {
      const count = content.items.reduce((n, i) => n + i.quantity, 0);
      return `Order: ${count} ${count === 1 ? 'item' : 'items'}${content.items.length > 0 ? `, ${orderTotal(content)}` : ''}`;
    }
    case 'interactive_reply': {
      const label = { flow: 'Form answered', call_permission: 'Call permission', other: 'Reply' }[content.kind];
      const detail = content.title ?? content.fields[0]?.value;
      return detail === undefined || detail === '' ? label : `${label}: ${detail}`;
    }
    case 'system':
      return systemText(content);
    case 'deleted':
      return 'Deleted by the customer';
    default: {
      const detail = searchTextOf(content);
      return detail === '' ? LABELS[content.type] : `${LABELS[content.type]}: ${detail}`;
    }
  }
}

/** One line for the conversation list (at most 200 characters). */
export function previewOf(content: MessageContent): string {
  const oneLine = previewText(content).replace(/\s+/g, ' ').trim();
  return oneLine.length > 200 ? `${oneLine.slice(0, 199)}…` : oneLine;
}

/** Who a conversation is with, for a notification's title: the group, the profile name, the username or the number. */
export function conversationTitle(conversation: Pick<Conversation, 'customer' | 'group'> | null): string {
  if (conversation === null) return 'Customer';
  const group = conversation.group ?? null;
  if (group !== null) return group.subject ?? 'WhatsApp group';
  const { name, username = null, waId } = conversation.customer;
  return name ?? (username !== null ? `@${username}` : waId !== null ? `+${waId}` : 'Customer');
}
