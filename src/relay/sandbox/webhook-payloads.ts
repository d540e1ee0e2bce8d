// Webhook bodies in the shapes Meta documents (test/fixtures/whatsapp: status-*.json, inbound-text.json, meta-*.json).
import type { SandboxPerson } from './customers';

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
  /** `recipient_id`: the phone number, or the group id; null when the send went to a BSUID whose number is withheld. */
  readonly recipient: string | null;
  /** `recipient_user_id`: set when the send went to a BSUID (Meta may then omit `recipient_id`). */
  readonly recipientUserId?: string | null;
  /** A group send's statuses say so. */
  readonly recipientType?: 'group';
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

/** One message a customer sends, in any of the kinds Meta documents: `message` holds `type` and its payload. */
export interface InboundEvent {
  readonly wamid: string;
  readonly sender: SandboxPerson;
  readonly timestampMs: number;
  readonly message: Readonly<Record<string, unknown>>;
  readonly contextWamid: string | null;
  /** Set when the customer wrote in a WhatsApp group the business takes part in. */
  readonly groupId?: string | null;
}

export function statusWebhookBody(identity: BusinessIdentity, event: StatusEvent): string {
  const status: Record<string, unknown> = {
    id: event.wamid,
    status: event.status,
    timestamp: seconds(event.timestampMs),
    ...(event.recipient !== null && { recipient_id: event.recipient }),
    ...(event.recipientUserId !== undefined && event.recipientUserId !== null && { recipient_user_id: event.recipientUserId }),
    ...(event.recipientType !== undefined && { recipient_type: event.recipientType }),
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
  return inboundWebhookBody(identity, {
    wamid: event.wamid,
    sender: { waId: event.from, bsuid: null, username: null, name: event.profileName },
    timestampMs: event.timestampMs,
    message: { type: 'text', text: { body: event.body } },
    contextWamid: event.contextWamid,
  });
}

/**
 * As Meta sends it since 2026 (the business-scoped user ids page): the phone number in `from` and `contacts[].wa_id`
 * only when WhatsApp shares it, the BSUID in `from_user_id` and `contacts[].user_id`, the username under `profile`.
 */
export function inboundWebhookBody(identity: BusinessIdentity, event: InboundEvent): string {
  const { sender } = event;
  const message: Record<string, unknown> = {};
  if (event.contextWamid !== null) message['context'] = { from: identity.displayPhoneNumber, id: event.contextWamid };
  Object.assign(message, {
    ...(sender.waId !== null && { from: sender.waId }),
    ...(sender.bsuid !== null && { from_user_id: sender.bsuid }),
    ...(event.groupId !== undefined && event.groupId !== null && { group_id: event.groupId }),
    id: event.wamid,
    timestamp: seconds(event.timestampMs),
    ...event.message,
  });
  const contact = {
    profile: { name: sender.name, ...(sender.username !== null && { username: sender.username }) },
    ...(sender.waId !== null && { wa_id: sender.waId }),
    ...(sender.bsuid !== null && { user_id: sender.bsuid }),
  };
  return envelope(identity, { contacts: [contact], messages: [message] });
}
