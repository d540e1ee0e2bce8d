// Meta-shaped webhook bodies for the benches, signed with the test relay's app secret.
import { inboundTextWebhookBody, type BusinessIdentity } from '../../src/relay/sandbox/webhook-payloads';
import { signBody } from '../../src/relay/test-support/relay-harness';
import { PHONE_NUMBER_ID } from './generate';

const IDENTITY: BusinessIdentity = { businessAccountId: '200000000000001', phoneNumberId: PHONE_NUMBER_ID, displayPhoneNumber: '15550783881' };

export function inboundBody(input: { wamid: string; from: string; name: string; text: string }): string {
  return inboundTextWebhookBody(IDENTITY, {
    wamid: input.wamid,
    from: input.from,
    profileName: input.name,
    timestampMs: Date.now(),
    body: input.text,
    contextWamid: null,
  });
}

/** A status for a wamid the relay never sent: it stores nothing visible, adds no event, but wakes every session. */
export function kickBody(wamid: string): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: IDENTITY.businessAccountId,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: IDENTITY.displayPhoneNumber, phone_number_id: IDENTITY.phoneNumberId },
              statuses: [{ id: wamid, status: 'delivered', timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: '972500000000' }],
            },
          },
        ],
      },
    ],
  });
}

export async function postWebhook(relayUrl: string, body: string): Promise<void> {
  const response = await fetch(`${relayUrl}/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body) },
    body,
    signal: AbortSignal.timeout(30_000),
  });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`webhook answered ${response.status}`);
}

/**
 * Several single-message webhook bodies as the one POST Meta sends when messages arrive together: their contacts and
 * messages in one change of one entry (the relay must commit them all before it answers 200).
 */
export function batchBody(bodies: readonly string[]): string {
  if (bodies.length === 0) throw new Error('a batch of no messages');
  const parsed = bodies.map((b) => JSON.parse(b) as { entry: { changes: { value: { contacts: unknown[]; messages: unknown[] } }[] }[] });
  const first = parsed[0]!;
  const value = first.entry[0]!.changes[0]!.value;
  value.contacts = parsed.flatMap((p) => p.entry[0]!.changes[0]!.value.contacts);
  value.messages = parsed.flatMap((p) => p.entry[0]!.changes[0]!.value.messages);
  return JSON.stringify(first);
}
