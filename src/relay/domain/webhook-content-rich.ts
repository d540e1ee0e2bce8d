// The richer inbound kinds: contact cards, orders, interactive replies (Flows, call permission) and system notices.
import { z } from 'zod';
import { MAX_INBOUND_TEXT_LENGTH } from '../../shared/domain';
import type { ContactCard } from '../../shared/domain';
import { neutraliseDisplayText } from './display-name';
import { bsuidOf, waIdOf } from './webhook-identity';
import { truncate } from './webhook-fields';
import type { InboundContent } from './webhook-types';

/** Limits of the shared ContactCard, order and interactive_reply schemas (src/shared/domain.ts). */
const LIMIT = { cardText: 1_024, label: 64, phone: 64, email: 512, url: 2_048, address: 2_048, birthday: 32, list: 50, cards: 100 } as const;
const ORDER = { id: 256, currency: 8, items: 1_000 } as const;
const REPLY = { title: 1_024, label: 256, fields: 200, systemText: 4_096 } as const;

// Every property optional: Meta's contacts page says many may be omitted when the user or their device withholds them.
const text = z.string().optional().catch(undefined);
const Card = z.looseObject({
  name: z.looseObject({ formatted_name: text, first_name: text, middle_name: text, last_name: text, prefix: text, suffix: text }).optional().catch(undefined),
  org: z.looseObject({ company: text, department: text, title: text }).optional().catch(undefined),
  phones: z
    .array(z.looseObject({ phone: text, wa_id: z.unknown().optional(), type: text }).catch({}))
    .optional()
    .catch(undefined),
  emails: z
    .array(z.looseObject({ email: text, type: text }).catch({}))
    .optional()
    .catch(undefined),
  urls: z
    .array(z.looseObject({ url: text, type: text }).catch({}))
    .optional()
    .catch(undefined),
  addresses: z
    .array(z.looseObject({ street: text, city: text, state: text, zip: text, country: text, country_code: text, type: text }).catch({}))
    .optional()
    .catch(undefined),
  birthday: text,
  vcard: text,
});
/** The formatted name of a vCard (`FN:` line): the only name a card shared through a contact request may carry. */
const VCARD_NAME = /^FN[^:\r\n]*:(.*)$/m;

const nonEmpty = (...parts: (string | undefined)[]): string => parts.filter((part) => part !== undefined && part.trim() !== '').join(' ');
const label = (type: string | undefined) => (type === undefined || type === '' ? {} : { label: truncate(type, LIMIT.label) });

/** Contact cards the customer shared; a card that is not an object is left out, an empty list is unsupported. */
export function readContactsContent(raw: unknown): InboundContent | null {
  if (!Array.isArray(raw)) return null;
  const cards: ContactCard[] = [];
  for (const candidate of raw.slice(0, LIMIT.cards)) {
    const card = Card.safeParse(candidate);
    if (card.success) cards.push(toCard(card.data));
  }
  return cards.length === 0 ? null : { type: 'contacts', contacts: cards };
}

function toCard(card: z.infer<typeof Card>): ContactCard {
  const n = card.name;
  const name =
    n?.formatted_name ?? (nonEmpty(n?.prefix, n?.first_name, n?.middle_name, n?.last_name, n?.suffix) || (VCARD_NAME.exec(card.vcard ?? '')?.[1] ?? ''));
  const organization = [card.org?.company, card.org?.department, card.org?.title].filter((part) => part !== undefined && part !== '').join(', ');
  const phones = (card.phones ?? []).flatMap(({ phone, wa_id: waId, type }) => {
    if (phone === undefined && waIdOf(waId) === null) return [];
    const shared = waIdOf(waId);
    return [{ phone: truncate(phone ?? shared ?? '', LIMIT.phone), ...(shared !== null && { waId: shared }), ...label(type) }];
  });
  const addresses = (card.addresses ?? []).flatMap((a) => {
    const line = [a.street, a.city, a.state, a.zip, a.country ?? a.country_code].filter((part) => part !== undefined && part !== '').join(', ');
    return line === '' ? [] : [{ text: truncate(line, LIMIT.address), ...label(a.type) }];
  });
  return {
    // A card's name is shown like a profile name, so it gets the same protection against bidi tricks.
    name: neutraliseDisplayText(name, LIMIT.cardText) ?? '',
    ...(organization !== '' && { organization: truncate(organization, LIMIT.cardText) }),
    phones: phones.slice(0, LIMIT.list),
    emails: (card.emails ?? [])
      .flatMap(({ email, type }) => (email === undefined || email === '' ? [] : [{ email: truncate(email, LIMIT.email), ...label(type) }]))
      .slice(0, LIMIT.list),
    urls: (card.urls ?? [])
      .flatMap(({ url, type }) => (url === undefined || url === '' ? [] : [{ url: truncate(url, LIMIT.url), ...label(type) }]))
      .slice(0, LIMIT.list),
    addresses: addresses.slice(0, LIMIT.list),
    ...(card.birthday !== undefined && card.birthday !== '' && { birthday: truncate(card.birthday, LIMIT.birthday) }),
  };
}

// Prices and quantities are numbers in Meta's pages; a digit string is accepted rather than losing the order.
const Amount = z
  .union([
    z.number(),
    z
      .string()
      .regex(/^-?\d+(\.\d+)?$/)
      .transform(Number),
  ])
  .pipe(z.number().finite());
const OrderItem = z.object({
  product_retailer_id: z.string().min(1),
  quantity: Amount.pipe(z.number().nonnegative()),
  item_price: Amount,
  currency: z.string().min(1),
});
const Order = z.object({ catalog_id: z.string().min(1), text: text, product_items: z.array(z.unknown()).optional().catch(undefined) });

/** An order: items that cannot be read are left out (the catalog still identifies it); no catalog id, no order. */
export function readOrder(raw: unknown): InboundContent | null {
  const order = Order.safeParse(raw);
  if (!order.success) return null;
  const items = (order.data.product_items ?? []).slice(0, ORDER.items).flatMap((candidate) => {
    const item = OrderItem.safeParse(candidate);
    if (!item.success) return [];
    const { product_retailer_id: productId, quantity, item_price: unitPrice, currency } = item.data;
    return [{ productId: truncate(productId, ORDER.id), quantity, unitPrice, currency: truncate(currency, ORDER.currency) }];
  });
  const note = order.data.text;
  return {
    type: 'order',
    catalogId: truncate(order.data.catalog_id, ORDER.id),
    ...(note !== undefined && { text: truncate(note, MAX_INBOUND_TEXT_LENGTH) }),
    items,
  };
}

const Choice = z.object({ id: z.string(), title: z.string() });
const Interactive = z.looseObject({ type: z.string().min(1) });
const NfmReply = z.looseObject({ name: text, body: text, response_json: z.string() });
const CallPermissionReply = z.looseObject({
  response: z.string().min(1),
  is_permanent: z.boolean().optional().catch(undefined),
  expiration_timestamp: z.number().int().nonnegative().optional().catch(undefined),
});
const JsonObject = z.record(z.string(), z.unknown());

type Field = { label: string; value: string };

/** A tap on a button or list row, a WhatsApp Flow's answers, a call-permission answer, or another interactive kind. */
export function readInteractive(raw: unknown): InboundContent | null {
  const interactive = Interactive.safeParse(raw);
  if (!interactive.success) return null;
  const kind = interactive.data.type;
  const body = interactive.data[kind];
  if (kind === 'button_reply' || kind === 'list_reply') {
    const choice = Choice.safeParse(body);
    return choice.success ? { type: 'button_reply', text: truncate(choice.data.title, 1_024), payload: truncate(choice.data.id, 1_024) } : null;
  }
  if (kind === 'nfm_reply') return readFlowReply(body);
  if (kind === 'call_permission_reply') {
    const reply = CallPermissionReply.safeParse(body);
    if (!reply.success) return null;
    const { response, is_permanent: permanent, expiration_timestamp: expires } = reply.data;
    const fields: Field[] = [{ label: 'Response', value: response === 'accept' ? 'Accepted' : response === 'reject' ? 'Declined' : truncate(response, 64) }];
    if (permanent !== undefined) fields.push({ label: 'Permanent', value: permanent ? 'Yes' : 'No' });
    if (expires !== undefined && expires <= 99_999_999_999) fields.push({ label: 'Expires', value: new Date(expires * 1000).toISOString() });
    return { type: 'interactive_reply', kind: 'call_permission', title: 'Call permission', fields };
  }
  return { type: 'interactive_reply', kind: 'other', title: truncate(kind, REPLY.title), fields: fieldsOf(JsonObject.safeParse(body).data ?? {}) };
}

/** `response_json` is a JSON string of the Flow's answers; its `flow_token` is ours, not the customer's, and is dropped. */
function readFlowReply(raw: unknown): InboundContent | null {
  const reply = NfmReply.safeParse(raw);
  if (!reply.success) return null;
  let answers: unknown;
  try {
    answers = JSON.parse(reply.data.response_json);
  } catch {
    return null;
  }
  const parsed = JsonObject.safeParse(answers);
  if (!parsed.success) return null;
  const answersShown = Object.fromEntries(Object.entries(parsed.data).filter(([key]) => key !== 'flow_token'));
  const isFlow = reply.data.name === undefined || reply.data.name === 'flow';
  const title = isFlow ? undefined : reply.data.name;
  return {
    type: 'interactive_reply',
    kind: isFlow ? 'flow' : 'other',
    ...(title !== undefined && { title: truncate(title, REPLY.title) }),
    fields: fieldsOf(answersShown),
  };
}

function fieldsOf(answers: Record<string, unknown>): Field[] {
  return Object.entries(answers)
    .slice(0, REPLY.fields)
    .flatMap(([key, value]) => {
      const shown = showValue(value);
      return shown === null ? [] : [{ label: truncate(readableLabel(key), REPLY.label), value: truncate(shown, MAX_INBOUND_TEXT_LENGTH) }];
    });
}

/** `screen_0_First_name_0` or `preferredBranch` → "First name", "Preferred branch": Flow builders' generated keys made readable. */
export function readableLabel(key: string): string {
  const words = key
    .replace(/^screen_\d+_/i, '')
    .replace(/_\d+$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[_\-.]+/g, ' ')
    .trim()
    .toLowerCase();
  return words === '' ? key : words.charAt(0).toUpperCase() + words.slice(1);
}

function showValue(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map((item) => showValue(item) ?? '').join(', ');
  if (value === null || value === undefined) return null;
  return JSON.stringify(value);
}

const System = z.looseObject({ type: text, body: text, wa_id: z.unknown().optional(), new_wa_id: z.unknown().optional(), user_id: z.unknown().optional() });
// The `customer_*` names are the older ones some deliveries still carry.
const SYSTEM_EVENTS: ReadonlyMap<string, 'number_changed' | 'user_id_changed' | 'identity_changed'> = new Map([
  ['user_changed_number', 'number_changed'],
  ['customer_changed_number', 'number_changed'],
  ['user_changed_user_id', 'user_id_changed'],
  ['user_identity_changed', 'identity_changed'],
  ['customer_identity_changed', 'identity_changed'],
] as const);

/** A notice from WhatsApp about the customer: a new number (`wa_id`), a new BSUID (`user_id`), a new security identity. */
export function readSystem(raw: unknown): InboundContent | null {
  const system = System.safeParse(raw);
  if (!system.success) return null;
  const { type, body, wa_id: waId, new_wa_id: newWaId, user_id: userId } = system.data;
  const event = (type !== undefined ? SYSTEM_EVENTS.get(type) : undefined) ?? 'other';
  // The body names the customer ("User Dana changed from …"), so it gets the same bidi protection as a profile name.
  const shown = body === undefined ? null : neutraliseDisplayText(body, REPLY.systemText);
  const number = waIdOf(waId) ?? waIdOf(newWaId);
  const bsuid = bsuidOf(userId);
  return {
    type: 'system',
    event,
    ...(shown !== null && { text: shown }),
    ...(event === 'number_changed' && number !== null && { newWaId: number }),
    ...((event === 'number_changed' || event === 'user_id_changed') && bsuid !== null && { newBsuid: bsuid }),
  };
}
