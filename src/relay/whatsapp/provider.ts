// The port between the relay and WhatsApp. The Meta Cloud API adapter implements it; tests may fake it.
import type { AppError, Result } from '../../shared/errors';
import type { SendFailure, Template } from '../../shared/domain';
import type { RetryReason } from '../domain/graph-verdict';

/** A send, already resolved to WhatsApp terms (media as WhatsApp media ids). */
export type ProviderContent =
  | { type: 'text'; body: string; previewUrl?: boolean }
  | { type: 'image'; waMediaId: string; caption?: string }
  | { type: 'document'; waMediaId: string; fileName?: string; caption?: string }
  | { type: 'template'; name: string; language: string; parameters: readonly string[] };

/**
 * Whom a message goes to, as the Graph API names them: a phone number (`to`), a business-scoped user id
 * (`recipient`, for a customer whose number WhatsApp withholds), or a WhatsApp group (`recipient_type: group`).
 */
export type Recipient =
  { readonly kind: 'phone'; readonly waId: string } | { readonly kind: 'bsuid'; readonly bsuid: string } | { readonly kind: 'group'; readonly groupId: string };

/** The recipient's id as one string: for rate limits per recipient, and for redacting it from Meta's error texts. */
export function recipientAddress(recipient: Recipient): string {
  switch (recipient.kind) {
    case 'phone':
      return recipient.waId;
    case 'bsuid':
      return recipient.bsuid;
    case 'group':
      return recipient.groupId;
  }
}

export interface ProviderSend {
  /** Our business number (`phone_number_id`) the message leaves from: always the conversation's (POST /{from}/messages). */
  readonly from: string;
  readonly to: Recipient;
  readonly content: ProviderContent;
  /** Echoed back by Meta in status webhooks: lets the relay recognise a send whose answer it never got. */
  readonly bizOpaque: string;
  /** The wamid to quote, if the agent replied to a message. */
  readonly replyToWamid?: string;
}

export type SendOutcome =
  | { readonly kind: 'accepted'; readonly wamid: string }
  /**
   * Try again later. `ambiguous`: the request may have reached Meta (timeout, connection cut after
   * sending), so the relay waits for a status webhook carrying its bizOpaque before resending.
   */
  | {
      readonly kind: 'retry';
      readonly reason: RetryReason;
      readonly retryAfterMs?: number;
      readonly ambiguous: boolean;
      readonly metaCode?: number;
    }
  | { readonly kind: 'failed'; readonly failure: SendFailure };

/** A provider call's failure: an AppError from the one union, with Meta's own error code where Meta gave one. */
export type ProviderError = AppError & { readonly metaCode?: number };

export type ProviderResult<T> = Result<T, ProviderError>;

export interface FetchedMedia {
  readonly bytes: Buffer;
  readonly mimeType: string;
  readonly sha256?: string;
}

export interface WhatsAppProvider {
  sendMessage(send: ProviderSend): Promise<SendOutcome>;
  /** Uploads bytes so they can be sent from our number `from` (POST /{from}/media); returns WhatsApp's media id. */
  uploadMedia(file: { bytes: Buffer; mimeType: string; fileName: string }, from: string): Promise<ProviderResult<string>>;
  /** Fetches inbound media: GET /{media-id} for a short-lived URL, then the bytes with the bearer token. */
  fetchMedia(waMediaId: string): Promise<ProviderResult<FetchedMedia>>;
  listTemplates(): Promise<ProviderResult<Template[]>>;
  /** Marks an inbound message read (blue ticks for the customer), from our number `from` that received it. */
  markRead(wamid: string, from: string): Promise<ProviderResult<true>>;
}
