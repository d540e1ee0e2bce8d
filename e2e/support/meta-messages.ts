// Customers' messages of every 2026 kind, worded as Meta's webhook reference words them (the shapes of the fixtures in
// test/fixtures/whatsapp, e.g. meta-contacts.json, meta-order.json, meta-interactive-flow.json, meta-edit.json,
// meta-revoke.json, meta-bsuid-contact-request.json), for Stack.deliverMeta.
import { randomBytes } from 'node:crypto';

export interface Sender {
  /** The phone number, or null when WhatsApp withholds it (then `bsuid` names the user). */
  waId: string | null;
  bsuid?: string;
  username?: string;
  name: string;
}

export function wamid(): string {
  return `wamid.e2e.${randomBytes(12).toString('hex')}`;
}

/** The `contacts` entry naming a sender: `wa_id` only when WhatsApp gives the number, `user_id` when it gives a BSUID. */
function contact(sender: Sender): Record<string, unknown> {
  return {
    profile: { name: sender.name, ...(sender.username !== undefined && { username: sender.username }) },
    ...(sender.waId !== null && { wa_id: sender.waId }),
    ...(sender.bsuid !== undefined && { user_id: sender.bsuid }),
  };
}

/** One message from one sender, as a change value: `from` is absent for a BSUID-only user (`from_user_id` instead). */
export function fromSender(sender: Sender, message: Record<string, unknown>, at = Date.now()): Record<string, unknown> {
  return {
    contacts: [contact(sender)],
    messages: [
      {
        ...(sender.waId !== null && { from: sender.waId }),
        ...(sender.bsuid !== undefined && { from_user_id: sender.bsuid }),
        id: wamid(),
        timestamp: String(Math.floor(at / 1000)),
        ...message,
      },
    ],
  };
}

export const text = (body: string, id = wamid()) => ({ id, type: 'text', text: { body } });

export const contactCard = (card: { name: string; company?: string; phone: string; waId?: string; email?: string }) => ({
  type: 'contacts',
  contacts: [
    {
      name: { formatted_name: card.name, first_name: card.name.split(' ')[0] },
      ...(card.company !== undefined && { org: { company: card.company } }),
      phones: [{ phone: card.phone, type: 'CELL', ...(card.waId !== undefined && { wa_id: card.waId }) }],
      emails: card.email === undefined ? [] : [{ email: card.email, type: 'WORK' }],
    },
  ],
});

export const order = (text: string, items: { id: string; quantity: number; price: number; currency: string }[]) => ({
  type: 'order',
  order: {
    catalog_id: '194836987003835',
    text,
    product_items: items.map((i) => ({ product_retailer_id: i.id, quantity: i.quantity, item_price: i.price, currency: i.currency })),
  },
});

/** A WhatsApp Flow's answer: `response_json` holds the answers (flow_token is WhatsApp's, not an answer). */
export const flowAnswer = (answers: Record<string, string>) => ({
  type: 'interactive',
  interactive: {
    type: 'nfm_reply',
    nfm_reply: { name: 'flow', body: 'Sent', response_json: JSON.stringify({ flow_token: 'AQAAAAACS5FpgQ_cAAAAAD0QI3s.', ...answers }) },
  },
});

export const edit = (originalId: string, body: string) => ({
  type: 'edit',
  edit: { original_message_id: originalId, message: { type: 'text', text: { body } } },
});

export const revoke = (originalId: string) => ({ type: 'revoke', revoke: { original_message_id: originalId } });
