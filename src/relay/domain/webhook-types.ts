// What one webhook delivery from Meta means, once parsed: the relay's input from WhatsApp.
import type { SendFailure } from '../../shared/domain';

/** Content as WhatsApp describes it; media is still referenced by WhatsApp's media id. */
export type InboundContent =
  | { type: 'text'; body: string }
  | {
      type: 'image' | 'document' | 'audio' | 'video' | 'sticker';
      waMediaId: string;
      mimeType: string;
      fileName?: string;
      caption?: string;
      sha256?: string;
      voice?: boolean;
    }
  | { type: 'location'; latitude: number; longitude: number; name?: string; address?: string }
  | { type: 'reaction'; emoji: string; targetWamid: string }
  | { type: 'button_reply'; text: string; payload?: string }
  | { type: 'unsupported'; waType: string };

export interface InboundItem {
  /** WhatsApp's message id: the key that makes a repeated delivery a no-op. */
  readonly wamid: string;
  /** The customer's WhatsApp id. */
  readonly from: string;
  /** The customer's profile name from the delivery's `contacts`, when given. */
  readonly profileName: string | null;
  /** When the customer sent it, in milliseconds since the epoch. */
  readonly timestamp: number;
  readonly content: InboundContent;
  /** The wamid this message quotes (`context.id`), if any. */
  readonly contextWamid: string | null;
  /** The business phone number id it was sent to (`metadata.phone_number_id`). */
  readonly phoneNumberId: string;
}

export interface StatusItem {
  /** The wamid of our outbound message. */
  readonly wamid: string;
  readonly status: 'sent' | 'delivered' | 'read' | 'failed';
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
  readonly recipient: string;
  /** For "failed": what the agent should be told. Null otherwise. */
  readonly failure: SendFailure | null;
  /** `biz_opaque_callback_data` echoed by Meta: the relay's message id, set on every send. */
  readonly bizOpaque: string | null;
  readonly phoneNumberId: string;
}

export interface WebhookBatch {
  readonly messages: readonly InboundItem[];
  readonly statuses: readonly StatusItem[];
}
