// Who a conversation is with, in words: a name for headings and lists, and the line under it (the number, or why
// there is none). A customer may have a phone number, a BSUID, or both; a group has neither. The BSUID itself is an
// id for machines and is never shown as a name.
import type { Conversation } from '../../shared/domain';
import { formatPhone } from './format';
import { strings } from './strings';

const k = strings.kinds.identity;

export interface CustomerLabel {
  /** Profile name, else @username, else the number, else "Customer"; a group's subject. */
  name: string;
  /** The number when the name is something else; "@username · number hidden by WhatsApp" without one; null if nothing to add. */
  detail: string | null;
  /** WhatsApp withheld the number (the customer reaches the bank by username or BSUID only). */
  numberHidden: boolean;
  group: boolean;
}

export function customerLabel(conversation: Pick<Conversation, 'customer' | 'group'>): CustomerLabel {
  const group = conversation.group ?? null;
  if (group !== null) return { name: group.subject ?? k.group, detail: k.group, numberHidden: false, group: true };
  const { name, waId } = conversation.customer;
  const username = conversation.customer.username ?? null;
  const handle = username === null ? null : k.username(username);
  if (waId !== null) {
    const phone = formatPhone(waId);
    const shown = name ?? handle ?? phone;
    return { name: shown, detail: shown === phone ? null : phone, numberHidden: false, group: false };
  }
  const shown = name ?? handle ?? k.customer;
  const detail = handle !== null && handle !== shown ? `${handle} · ${k.numberHidden}` : k.numberHidden;
  return { name: shown, detail, numberHidden: true, group: false };
}

/** Who wrote a message in a group: the participant's name, else their number, else "Participant". */
export function authorName(author: { name: string | null; waId: string | null } | null | undefined): string {
  if (author === null || author === undefined) return k.participant;
  return author.name ?? (author.waId !== null ? formatPhone(author.waId) : k.participant);
}
