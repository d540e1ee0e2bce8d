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

export interface ProviderSend {
  readonly to: string;
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
  /** Uploads bytes so they can be sent; returns WhatsApp's media id. */
  uploadMedia(file: { bytes: Buffer; mimeType: string; fileName: string }): Promise<ProviderResult<string>>;
  /** Fetches inbound media: GET /{media-id} for a short-lived URL, then the bytes with the bearer token. */
  fetchMedia(waMediaId: string): Promise<ProviderResult<FetchedMedia>>;
  listTemplates(): Promise<ProviderResult<Template[]>>;
  /** Marks an inbound message read (blue ticks for the customer). */
  markRead(wamid: string): Promise<ProviderResult<true>>;
}
