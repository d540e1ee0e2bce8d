// What one webhook delivery from Meta means, once parsed item by item: the relay's input from WhatsApp.
import type { ContactCard, SendFailure } from '../../shared/domain';

/**
 * A WhatsApp user as a delivery names them: the phone number, the business-scoped user id (BSUID), or both, with the
 * username and profile name when given. Since 2026 either id may be missing (never both for a person).
 * `profileName` is already neutralised for display (bidi overrides and invisible characters removed).
 */
export interface UserRef {
  readonly waId: string | null;
  readonly bsuid: string | null;
  readonly username: string | null;
  readonly profileName: string | null;
}

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
  | { type: 'contacts'; contacts: ContactCard[] }
  | { type: 'order'; catalogId: string; text?: string; items: { productId: string; quantity: number; unitPrice: number; currency: string }[] }
  | { type: 'interactive_reply'; kind: 'flow' | 'call_permission' | 'other'; title?: string; fields: { label: string; value: string }[] }
  | {
      type: 'system';
      event: 'chat_opened' | 'number_changed' | 'user_id_changed' | 'identity_changed' | 'other';
      text?: string;
      newWaId?: string;
      newBsuid?: string;
    }
  | { type: 'unsupported'; waType: string };

export interface InboundItem {
  /** WhatsApp's message id: the key that makes a repeated delivery a no-op. */
  readonly wamid: string;
  /** Who sent it. */
  readonly from: UserRef;
  /**
   * When the customer sent it, in milliseconds since the epoch, never later than the delivery's arrival plus a small
   * skew (a timestamp in the future would hold the customer's 24-hour window open).
   */
  readonly timestamp: number;
  readonly content: InboundContent;
  /** The wamid this message quotes (`context.id`), if any. */
  readonly contextWamid: string | null;
  /** The business phone number id it was sent to (`metadata.phone_number_id`). */
  readonly phoneNumberId: string;
  /** Set when the message was written in a WhatsApp group: the conversation is the group's, `from` its author. */
  readonly groupId: string | null;
}

/** The customer edited or deleted (revoked) an earlier message; the original may not have arrived yet. */
export interface RevisionItem {
  /** The wamid of the edit or revoke notice itself (repeat deliveries are no-ops). */
  readonly wamid: string;
  readonly kind: 'edit' | 'delete';
  /** The message it changes (`original_message_id`). */
  readonly targetWamid: string;
  /** For an edit: the new content (text, or media with its new caption). */
  readonly content: InboundContent | null;
  readonly from: UserRef;
  readonly timestamp: number;
  readonly phoneNumberId: string;
  readonly groupId: string | null;
}

export interface StatusItem {
  /** The wamid of our outbound message. */
  readonly wamid: string;
  readonly status: 'sent' | 'delivered' | 'read' | 'failed';
  /** Milliseconds since the epoch (clamped like InboundItem.timestamp). */
  readonly timestamp: number;
  /** Who it went to: `recipient_id` may be omitted for messages sent to a BSUID (`recipient_user_id` then). */
  readonly recipient: UserRef;
  /** For "failed": what the agent should be told. Null otherwise. */
  readonly failure: SendFailure | null;
  /** `biz_opaque_callback_data` echoed by Meta: the relay's message id, set on every send. */
  readonly bizOpaque: string | null;
  readonly phoneNumberId: string;
}

/** A change for another webhook field, or about the account: acknowledged, acted on where it matters, logged. */
export type AccountEvent =
  /** `message_template_status_update`: a template was approved, rejected, paused … — the template list is refreshed. */
  | { kind: 'template_status'; templateName: string | null; language: string | null; status: string; reason: string | null }
  /** `phone_number_quality_update`: Meta changed the number's quality rating or messaging limit (logged as a warning). */
  | { kind: 'quality'; phoneNumber: string | null; event: string; limit: string | null }
  /** `account_update` (and other account-level fields): logged as a warning with its event name. */
  | { kind: 'account'; event: string }
  /** `user_preferences`: a customer stopped (or resumed) marketing messages; recorded on the customer. */
  | { kind: 'marketing_preference'; user: UserRef; value: 'stop' | 'resume'; timestamp: number; phoneNumberId: string | null }
  /** A user's BSUID changed (`user_id_update` and the like): the customer record follows. */
  | { kind: 'user_id_changed'; previousBsuid: string; bsuid: string; waId: string | null; phoneNumberId: string | null };

/** A delivery-level `errors` array (e.g. 130429 rate limit): logged as a warning with Meta's code and title, counted. */
export interface DeliveryError {
  readonly code: number | null;
  readonly title: string;
  readonly details: string | null;
  readonly phoneNumberId: string | null;
}

/** An item the relay could not understand: logged (path and reason, never its content) and skipped; the rest goes on. */
export interface SkippedItem {
  /** JSON path within the delivery, e.g. `entry[0].changes[1].value.messages[2]`. */
  readonly path: string;
  readonly reason: string;
}

export interface WebhookBatch {
  readonly messages: readonly InboundItem[];
  readonly revisions: readonly RevisionItem[];
  readonly statuses: readonly StatusItem[];
  readonly accountEvents: readonly AccountEvent[];
  readonly errors: readonly DeliveryError[];
  readonly skipped: readonly SkippedItem[];
}
