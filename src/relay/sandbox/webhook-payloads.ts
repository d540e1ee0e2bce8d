// Webhook bodies in the shapes Meta documents (fixtures/whatsapp/status-*.json, inbound-text.json).

export interface BusinessIdentity {
  readonly businessAccountId: string;
  readonly phoneNumberId: string;
  readonly displayPhoneNumber: string;
}

export type DeliveryStatus = 'sent' | 'delivered' | 'read';

export interface StatusEvent {
  readonly wamid: string;
  readonly status: DeliveryStatus;
  readonly timestampMs: number;
  readonly recipient: string;
  readonly bizOpaque: string | null;
  /** The conversation the send opened or joined; Meta reports it on "sent". */
  readonly conversation: { readonly id: string; readonly expiresAtMs: number; readonly origin: string };
  readonly pricingCategory: string;
  readonly billable: boolean;
}

export interface InboundTextEvent {
  readonly wamid: string;
  readonly from: string;
  readonly profileName: string;
  readonly timestampMs: number;
  readonly body: string;
  /** The wamid of our message the customer quotes. */
  readonly contextWamid: string | null;
}

/** Webhook timestamps are Unix seconds as strings. */
const seconds = (ms: number): string => String(Math.floor(ms / 1000));

function envelope(identity: BusinessIdentity, value: Record<string, unknown>): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: identity.businessAccountId,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: identity.displayPhoneNumber, phone_number_id: identity.phoneNumberId },
              ...value,
            },
          },
        ],
      },
    ],
  });
}

export function statusWebhookBody(identity: BusinessIdentity, event: StatusEvent): string {
  const status: Record<string, unknown> = {
    id: event.wamid,
    status: event.status,
    timestamp: seconds(event.timestampMs),
    recipient_id: event.recipient,
  };
  if (event.bizOpaque !== null) status['biz_opaque_callback_data'] = event.bizOpaque;
  if (event.status === 'sent') {
    status['conversation'] = {
      id: event.conversation.id,
      expiration_timestamp: seconds(event.conversation.expiresAtMs),
      origin: { type: event.conversation.origin },
    };
  }
  if (event.status !== 'read') {
    status['pricing'] = { billable: event.billable, pricing_model: 'PMP', category: event.pricingCategory };
  }
  return envelope(identity, { statuses: [status] });
}

export function inboundTextWebhookBody(identity: BusinessIdentity, event: InboundTextEvent): string {
  const message: Record<string, unknown> = {};
  if (event.contextWamid !== null) message['context'] = { from: identity.displayPhoneNumber, id: event.contextWamid };
  Object.assign(message, {
    from: event.from,
    id: event.wamid,
    timestamp: seconds(event.timestampMs),
    type: 'text',
    text: { body: event.body },
  });
  return envelope(identity, {
    contacts: [{ profile: { name: event.profileName }, wa_id: event.from }],
    messages: [message],
  });
}
