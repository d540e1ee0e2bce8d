// What "WhatsApp" does after accepting a send: status webhooks, and a customer's answer to a question.
import { customerReplyTo, type SandboxPerson } from './customers';
import type { LedgerEntry } from './ledger';
import { inboundWebhookBody, statusWebhookBody, type BusinessIdentity, type DeliveryStatus, type StatusEvent } from './webhook-payloads';
import type { NewDelivery } from './webhook-outbox';

export interface PlanInput {
  readonly identity: BusinessIdentity;
  readonly entry: LedgerEntry;
  readonly statusDelayMs: number;
  readonly replyDelayMs: number;
  readonly conversationId: string;
  /** "utility", "marketing"… for templates; "service" for free-form messages inside the window. */
  readonly pricingCategory: string;
  /** Who received it (for a phone number or BSUID; a group has no one person): names the statuses and the reply. */
  readonly customer: SandboxPerson | null;
  /** The wamid the customer's reply (if any) gets. */
  readonly replyWamid: string;
}

const STATUSES: readonly DeliveryStatus[] = ['sent', 'delivered', 'read'];
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * All deliveries share the send's wamid as their chain, so they reach the relay in this order even
 * when one needs retries: sent, delivered, read, then the reply.
 */
export function planDeliveries(input: PlanInput): NewDelivery[] {
  const { entry, identity } = input;
  const plan: NewDelivery[] = STATUSES.map((status, i) => {
    const delayMs = input.statusDelayMs * (i + 1);
    return {
      kind: 'status',
      chain: entry.wamid,
      delayMs,
      body: statusWebhookBody(identity, {
        wamid: entry.wamid,
        status,
        timestampMs: entry.acceptedAt + delayMs,
        ...recipientOf(entry, input.customer),
        bizOpaque: entry.bizOpaque,
        conversation: { id: input.conversationId, expiresAtMs: entry.acceptedAt + DAY_MS, origin: input.pricingCategory },
        pricingCategory: input.pricingCategory,
        billable: input.pricingCategory !== 'service',
      }),
    };
  });

  const reply = entry.type === 'text' && entry.text !== undefined ? customerReplyTo(entry.text) : null;
  if (reply !== null && input.customer !== null) {
    plan.push({
      kind: 'inbound',
      chain: entry.wamid,
      delayMs: input.replyDelayMs,
      body: inboundWebhookBody(identity, {
        wamid: input.replyWamid,
        sender: input.customer,
        timestampMs: entry.acceptedAt + input.replyDelayMs,
        message: { type: 'text', text: { body: reply } },
        contextWamid: entry.wamid,
      }),
    });
  }
  return plan;
}

/**
 * How Meta names the recipient in a status: `recipient_id` (the phone number, or the group id with
 * `recipient_type: group`); for a send to a BSUID, `recipient_user_id`, and `recipient_id` only if the number is shared.
 */
function recipientOf(entry: LedgerEntry, customer: SandboxPerson | null): Pick<StatusEvent, 'recipient' | 'recipientUserId' | 'recipientType'> {
  if (entry.toKind === 'group') return { recipient: entry.to, recipientType: 'group' };
  if (entry.toKind === 'bsuid') return { recipient: customer?.waId ?? null, recipientUserId: entry.to };
  return { recipient: entry.to, recipientUserId: customer?.bsuid ?? null };
}
