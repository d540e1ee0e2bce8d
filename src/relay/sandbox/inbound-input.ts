// POST /sandbox/inbound: who writes (phone number, BSUID or both, in a group or not) and what, as one of the message
// kinds Meta documents or a raw Meta message object; checked, then turned into the message of a webhook.
import { z } from 'zod';
import { fail, ok, type Result } from '../../shared/errors';
import { isBsuid, isPhoneNumber, type SandboxPerson } from './customers';

const FROM = '"from" must be a WhatsApp id of 6 to 20 digits';
const BSUID = '"bsuid" must be a business-scoped user id such as US.13491208655302741918';

/** Ready-made kinds, each shaped like the example on Meta's webhook reference page for it. */
export const INBOUND_KINDS = ['text', 'contacts', 'order', 'flow', 'location', 'request_welcome', 'edit', 'delete'] as const;
export type InboundKind = (typeof INBOUND_KINDS)[number];

export interface InboundRequest {
  readonly sender: SandboxPerson;
  /** Meta's message object without id, sender and timestamp: `type` and its payload. */
  readonly message: Readonly<Record<string, unknown>>;
  readonly contextWamid: string | null;
  readonly groupId: string | null;
  /** Which of our numbers they write to (phone_number_id); null for the configured one. */
  readonly to: string | null;
}

const Input = z
  .object({
    from: z.string(FROM).refine(isPhoneNumber, FROM).optional(),
    bsuid: z.string(BSUID).refine(isBsuid, BSUID).optional(),
    username: z.string().min(1, '"username" must be 1 to 100 characters').max(100, '"username" must be 1 to 100 characters').optional(),
    name: z.string('"name" must be 1 to 256 characters').min(1, '"name" must be 1 to 256 characters').max(256, '"name" must be 1 to 256 characters'),
    text: z.string().min(1, '"text" must be 1 to 4096 characters').max(4096, '"text" must be 1 to 4096 characters').optional(),
    kind: z.enum(INBOUND_KINDS, `"kind" must be one of ${INBOUND_KINDS.join(', ')}`).optional(),
    message: z
      .record(z.string(), z.unknown(), '"message" must be a Meta message object such as {"type":"text","text":{"body":"…"}}')
      .refine((m) => typeof m['type'] === 'string', '"message" needs a "type", as in Meta\'s webhook reference')
      .optional(),
    targetWamid: z.string().min(1).max(512, '"targetWamid" must be the wamid of the message edited or deleted').optional(),
    contextWamid: z.string().min(1).max(512, '"contextWamid" must be the wamid of the message quoted').optional(),
    groupId: z.string().min(1).max(256, '"groupId" must be 1 to 256 characters').optional(),
    to: z
      .string()
      .regex(/^\d{1,32}$/, '"to" must be the phone number id of one of our numbers')
      .optional(),
  })
  .refine((i) => i.from !== undefined || i.bsuid !== undefined, '"from" (a phone number) or "bsuid" is needed: who is writing?')
  .refine((i) => i.message === undefined || i.kind === undefined, 'give "kind" or "message", not both')
  .refine((i) => i.message !== undefined || i.kind !== undefined || i.text !== undefined, '"text" is needed (or a "kind", or a raw "message")')
  .refine((i) => (i.kind !== 'edit' && i.kind !== 'delete') || i.targetWamid !== undefined, '"targetWamid" names the message an edit or deletion changes')
  .refine((i) => i.kind !== 'edit' || i.text !== undefined, '"text" is the edited message’s new text');
type Input = z.infer<typeof Input>;

/** Checks the body; messages name the field, never echo its value. */
export function checkInboundInput(body: unknown): Result<InboundRequest> {
  const parsed = Input.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const message =
      issue?.code === 'invalid_type' && issue.path.length === 0 ? 'expected a JSON object {from, name, text}' : (issue?.message ?? 'invalid input');
    return fail('invalid_input', message);
  }
  const input = parsed.data;
  return ok({
    sender: { waId: input.from ?? null, bsuid: input.bsuid ?? null, username: input.username ?? null, name: input.name },
    message: input.message ?? messageOf(input.kind ?? 'text', input),
    contextWamid: input.contextWamid ?? null,
    groupId: input.groupId ?? null,
    to: input.to ?? null,
  });
}

/** The message of each kind; the sample values are Meta's own examples, with a bank's flavour where there is a choice. */
function messageOf(kind: InboundKind, input: Input): Record<string, unknown> {
  const text = input.text ?? '';
  const target = input.targetWamid ?? '';
  switch (kind) {
    case 'text':
      return { type: 'text', text: { body: text } };
    case 'contacts':
      return {
        type: 'contacts',
        contacts: [
          {
            name: { formatted_name: 'Barbara J. Johnson', first_name: 'Barbara', last_name: 'Johnson' },
            org: { company: 'Lucky Shrub', title: 'Lead Counsel' },
            phones: [{ phone: '+1 (940) 555-1234', wa_id: '19405551234', type: 'HOME' }],
            emails: [{ email: 'bjohnson@example.com', type: 'WORK' }],
          },
        ],
      };
    case 'order':
      return {
        type: 'order',
        order: {
          catalog_id: '194836987003835',
          ...(input.text !== undefined && { text }),
          product_items: [
            { product_retailer_id: 'di9ozbzfi4', quantity: 2, item_price: 7.99, currency: 'USD' },
            { product_retailer_id: 'nlr5ph2cbm', quantity: 1, item_price: 24.5, currency: 'USD' },
          ],
        },
      };
    case 'flow':
      return {
        type: 'interactive',
        interactive: {
          type: 'nfm_reply',
          nfm_reply: {
            name: 'flow',
            body: 'Sent',
            response_json: JSON.stringify({
              flow_token: 'AQAAAAACS5FpgQ_cAAAAAD0QI3s.',
              branch: 'Herzl St.',
              appointment_date: '2026-05-04',
              topic: 'Mortgage',
            }),
          },
        },
      };
    case 'location':
      return { type: 'location', location: { latitude: 32.0853, longitude: 34.7818, name: 'Herzl St. branch', address: '1 Herzl St, Tel Aviv' } };
    case 'request_welcome':
      return { type: 'request_welcome' };
    case 'edit':
      return { type: 'edit', edit: { original_message_id: target, message: { type: 'text', text: { body: text } } } };
    case 'delete':
      return { type: 'revoke', revoke: { original_message_id: target } };
  }
}
