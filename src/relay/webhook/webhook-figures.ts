// What the webhook has seen since the relay started, in memory: /metrics reads it (metrics.ts).

export interface WebhookFigures {
  /** Deliveries answered 200. */
  accepted: number;
  /** Deliveries refused: bad signature, not JSON, not a WhatsApp delivery, too large. */
  refused: number;
  /** Items filed from accepted deliveries: messages, revisions, statuses and account events. */
  acceptedItems: number;
  /** Items the parser could not understand, or the store could not file: logged and skipped, the rest kept. */
  skippedItems: number;
  /** Entries of a delivery's `errors` array (Meta's problems with the whole delivery, e.g. 130429). */
  deliveryErrors: number;
  /** Items for a business number this relay does not serve: acknowledged, stored nowhere. */
  otherNumberItems: number;
  /** Those numbers (Meta's phone_number_id), each logged once. */
  readonly otherNumbers: Set<string>;
}

export function createWebhookFigures(): WebhookFigures {
  return { accepted: 0, refused: 0, acceptedItems: 0, skippedItems: 0, deliveryErrors: 0, otherNumberItems: 0, otherNumbers: new Set() };
}
