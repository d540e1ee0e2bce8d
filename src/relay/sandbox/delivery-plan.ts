// What "WhatsApp" does after accepting a send: status webhooks, and a customer's answer to a question.
import { customerReplyTo } from './customers';
import type { LedgerEntry } from './ledger';
import { inboundTextWebhookBody, statusWebhookBody, type BusinessIdentity, type DeliveryStatus } from './webhook-payloads';
import type { NewDelivery } from './webhook-outbox';

export interface PlanInput {
  readonly identity: BusinessIdentity;
  readonly entry: LedgerEntry;
  readonly statusDelayMs: number;
  readonly replyDelayMs: number;
  readonly conversationId: string;
  /** "utility", "marketing"… for templates; "service" for free-form messages inside the window. */
  readonly pricingCategory: string;
  readonly customerName: string;
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
        recipient: entry.to,
        bizOpaque: entry.bizOpaque,
        conversation: { id: input.conversationId, expiresAtMs: entry.acceptedAt + DAY_MS, origin: input.pricingCategory },
        pricingCategory: input.pricingCategory,
        billable: input.pricingCategory !== 'service',
      }),
    };
  });

  const reply = entry.type === 'text' && entry.text !== undefined ? customerReplyTo(entry.text) : null;
  if (reply !== null) {
    plan.push({
      kind: 'inbound',
      chain: entry.wamid,
      delayMs: input.replyDelayMs,
      body: inboundTextWebhookBody(identity, {
        wamid: input.replyWamid,
        from: entry.to,
        profileName: input.customerName,
        timestampMs: entry.acceptedAt + input.replyDelayMs,
        body: reply,
        contextWamid: entry.wamid,
      }),
    });
  }
  return plan;
}
