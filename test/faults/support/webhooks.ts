// Meta-shaped webhook deliveries (the sandbox's own fixtures), signed with the relay's app secret and posted to /webhook.
import { randomBytes } from 'node:crypto';
import { signBody } from '../../../src/relay/test-support/relay-harness';
import { inboundTextWebhookBody, statusWebhookBody, type BusinessIdentity, type DeliveryStatus } from '../../../src/relay/sandbox/webhook-payloads';
import { APP_SECRET, BUSINESS_ACCOUNT_ID, PHONE_NUMBER_ID } from './relay-process';

export const IDENTITY: BusinessIdentity = { businessAccountId: BUSINESS_ACCOUNT_ID, phoneNumberId: PHONE_NUMBER_ID, displayPhoneNumber: '15550783881' };

export function newWamid(): string {
  return `wamid.FAULTS${randomBytes(12).toString('hex').toUpperCase()}`;
}

export function inboundText(from: string, body: string, options: { wamid?: string; atMs?: number; name?: string } = {}): { wamid: string; body: string } {
  const wamid = options.wamid ?? newWamid();
  return {
    wamid,
    body: inboundTextWebhookBody(IDENTITY, {
      wamid,
      from,
      profileName: options.name ?? `Customer ${from.slice(-2)}`,
      timestampMs: options.atMs ?? Date.now(),
      body,
      contextWamid: null,
    }),
  };
}

export function statusDelivery(wamid: string, status: DeliveryStatus, to: string, bizOpaque: string | null, atMs = Date.now()): string {
  return statusWebhookBody(IDENTITY, {
    wamid,
    status,
    timestampMs: atMs,
    recipient: to,
    bizOpaque,
    conversation: { id: 'faults-conversation', expiresAtMs: atMs + 86_400_000, origin: 'service' },
    pricingCategory: 'service',
    billable: false,
  });
}

/** A message type the relay does not know: it must be kept as "unsupported", not dropped. */
export function unknownTypeDelivery(from: string, waType: string, extra: Record<string, unknown> = {}): { wamid: string; body: string } {
  const wamid = newWamid();
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: BUSINESS_ACCOUNT_ID,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: IDENTITY.displayPhoneNumber, phone_number_id: PHONE_NUMBER_ID },
              contacts: [{ profile: { name: 'Unknown Type' }, wa_id: from }],
              messages: [{ from, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), type: waType, [waType]: { some: 'thing' }, ...extra }],
            },
          },
        ],
      },
    ],
  });
  return { wamid, body };
}

export async function postWebhook(relayUrl: string, body: string | Buffer, signature: string | null = signBody(body, APP_SECRET)): Promise<number> {
  const res = await fetch(`${relayUrl}/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature !== null && { 'x-hub-signature-256': signature }) },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  await res.arrayBuffer();
  return res.status;
}

/** Posts a delivery until the relay answers 200, the way Meta retries: the same bytes, whatever happened meanwhile. */
export async function deliverUntilAccepted(relayUrl: () => string, body: string, deadlineMs = 60_000, abandoned: () => boolean = () => false): Promise<number> {
  const deadline = Date.now() + deadlineMs;
  for (let attempt = 1; ; attempt++) {
    if (abandoned()) throw new Error('delivery abandoned: the scenario ended');
    try {
      const status = await postWebhook(relayUrl(), body);
      if (status === 200) return attempt;
      if (status !== 503 && status < 500) throw new Error(`the relay refused a valid delivery with HTTP ${status}`);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('the relay refused')) throw error;
    }
    if (Date.now() > deadline) throw new Error(`a delivery was not accepted within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, Math.min(50 * attempt, 500)));
  }
}
