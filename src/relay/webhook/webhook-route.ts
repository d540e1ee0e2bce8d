// HTTP face of the webhook: Meta's verification handshake, then signed deliveries stored before the 200.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log';
import { BodyTooLargeError, readBody } from '../../node-shared/http-body';
import { secretsEqual } from '../../node-shared/secret-compare';
import { refuseRest, sendError } from '../http-util';
import type { RelayStore } from '../store/relay-store';
import { parseWebhook } from '../domain/parse-webhook';
import type { AccountEvent, WebhookBatch } from '../domain/webhook-types';
import { verifySignature } from './signature';
import type { WebhookFigures } from './webhook-figures';

/**
 * Meta's webhook reference: "Webhooks payloads can be up to 3MB" (a batch of up to 1,000 updates). 3 MiB covers
 * that however "MB" is counted; a body beyond it is not from Meta.
 */
export const MAX_WEBHOOK_BYTES = 3 * 1024 * 1024;
/** Skipped items logged one by one per delivery; the rest are counted (a broken batch must not flood the log). */
const SKIPPED_LOGGED = 10;

export interface WebhookRouteDeps {
  appSecret: string;
  verifyToken: string;
  /** The configured business number (WHATSAPP_PHONE_NUMBER_ID), named in the warning; what is served is the store's numbers table. */
  phoneNumberId: string;
  store: RelayStore;
  log: Logger;
  figures: WebhookFigures;
  now: () => number;
  onCommitted: () => void;
  onMedia: (media: readonly { mediaId: string; waMediaId: string }[]) => void;
  /** Meta reported a template approved, rejected, paused …: the cached template list is stale. */
  onTemplatesChanged: () => void;
}

export function handleWebhookVerify(url: URL, res: ServerResponse, deps: WebhookRouteDeps): void {
  const mode = url.searchParams.get('hub.mode');
  const token = url.searchParams.get('hub.verify_token');
  const challenge = url.searchParams.get('hub.challenge');
  if (mode === 'subscribe' && token !== null && secretsEqual(token, deps.verifyToken) && challenge !== null && challenge.length <= 256) {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(challenge);
    deps.log.info('webhook.verified');
    return;
  }
  deps.log.warn('webhook.verify_refused');
  sendError(res, 403, 'forbidden', 'verification token does not match');
}

/** Answers 200 to every signed WhatsApp delivery, whatever is inside: a refusal makes Meta drop the whole batch. */
export async function handleWebhookPost(req: IncomingMessage, res: ServerResponse, deps: WebhookRouteDeps): Promise<void> {
  let raw: Buffer;
  try {
    raw = await readBody(req, MAX_WEBHOOK_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      deps.figures.refused++;
      deps.log.warn('webhook.refused', { reason: 'too_large' });
      refuseRest(req, res);
      sendError(res, 413, 'payload_too_large', error.message);
      return;
    }
    throw error;
  }
  // The signature is checked over the exact bytes, before anything is parsed.
  const signature = req.headers['x-hub-signature-256'];
  if (!verifySignature(raw, typeof signature === 'string' ? signature : undefined, deps.appSecret)) {
    deps.figures.refused++;
    deps.log.warn('webhook.refused', { reason: signature === undefined ? 'unsigned' : 'bad_signature', bytes: raw.length });
    sendError(res, 401, 'unauthorized', 'X-Hub-Signature-256 is missing or does not match the body');
    return;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    deps.figures.refused++;
    deps.log.warn('webhook.refused', { reason: 'invalid_json' });
    sendError(res, 400, 'invalid_input', 'body is not valid JSON');
    return;
  }
  const now = deps.now();
  const parsed = parseWebhook(json, { now });
  if (!parsed.ok) {
    deps.figures.refused++;
    deps.log.warn('webhook.refused', { reason: 'not_whatsapp', detail: parsed.error.message });
    sendError(res, 400, 'invalid_input', parsed.error.message);
    return;
  }
  const batch = ourItems(parsed.value, await deps.store.servedNumbers(), deps);
  reportProblems(batch, deps);
  const outcome = await deps.store.recordWebhook(batch, now);
  // Only now, with the delivery committed, does Meta hear 200: anything earlier could lose it.
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('OK');
  deps.figures.accepted++;
  deps.figures.skippedItems += outcome.unfiled.length;
  const items = batch.messages.length + batch.revisions.length + batch.statuses.length + batch.accountEvents.length;
  deps.figures.acceptedItems += Math.max(0, items - outcome.unfiled.length);
  for (const item of outcome.unfiled) deps.log.warn('webhook.item_unfiled', { reason: item.reason });
  actOnAccountEvents(batch.accountEvents, deps);
  deps.log.info('webhook.accepted', {
    messages: batch.messages.length,
    revisions: batch.revisions.length,
    statuses: batch.statuses.length,
    accountEvents: batch.accountEvents.length,
    skipped: batch.skipped.length + outcome.unfiled.length,
    repeated: !outcome.changed,
  });
  if (outcome.changed) deps.onCommitted();
  if (outcome.mediaToFetch.length > 0) deps.onMedia(outcome.mediaToFetch);
}

/**
 * The delivery without the items for a business number no team serves (Meta sends every number's webhooks of the
 * account to the app's callback; `numbers add` makes one ours): stored, a reply would leave from a number nobody
 * answers. Each such number is logged once, as a warning.
 */
function ourItems(batch: WebhookBatch, served: ReadonlySet<string>, deps: WebhookRouteDeps): WebhookBatch {
  let dropped = 0;
  const ours = <T>(items: readonly T[], numberOf: (item: T) => string | null): T[] =>
    items.filter((item) => {
      const number = numberOf(item);
      if (number === null || served.has(number)) return true;
      dropped++;
      if (!deps.figures.otherNumbers.has(number)) {
        deps.figures.otherNumbers.add(number);
        deps.log.warn('webhook.other_number', { phoneNumberId: number, servedPhoneNumberId: deps.phoneNumberId });
      }
      return false;
    });
  const filtered: WebhookBatch = {
    messages: ours(batch.messages, (m) => m.phoneNumberId),
    revisions: ours(batch.revisions, (r) => r.phoneNumberId),
    statuses: ours(batch.statuses, (s) => s.phoneNumberId),
    accountEvents: ours(batch.accountEvents, (e) => ('phoneNumberId' in e ? e.phoneNumberId : null)),
    errors: batch.errors,
    skipped: batch.skipped,
  };
  deps.figures.otherNumberItems += dropped;
  return filtered;
}

/** What the parser skipped and Meta's own errors about the delivery: paths, reasons, codes and titles, never content. */
function reportProblems(batch: WebhookBatch, deps: WebhookRouteDeps): void {
  deps.figures.skippedItems += batch.skipped.length;
  for (const item of batch.skipped.slice(0, SKIPPED_LOGGED)) deps.log.warn('webhook.item_skipped', { path: item.path, reason: item.reason });
  if (batch.skipped.length > SKIPPED_LOGGED) deps.log.warn('webhook.items_skipped', { more: batch.skipped.length - SKIPPED_LOGGED });
  deps.figures.deliveryErrors += batch.errors.length;
  for (const error of batch.errors) deps.log.warn('webhook.delivery_error', { metaCode: error.code, title: error.title, phoneNumberId: error.phoneNumberId });
}

/** Account events the store does not keep: template changes refresh the list, quality and account changes warn IT. */
function actOnAccountEvents(events: readonly AccountEvent[], deps: WebhookRouteDeps): void {
  let templatesChanged = false;
  for (const event of events) {
    switch (event.kind) {
      case 'template_status':
        templatesChanged = true;
        deps.log.info('whatsapp.template_status', { template: event.templateName, language: event.language, status: event.status, reason: event.reason });
        break;
      case 'quality':
        deps.log.warn('whatsapp.quality_update', { change: event.event, limit: event.limit });
        break;
      case 'account':
        deps.log.warn('whatsapp.account_update', { change: event.event });
        break;
      default:
        break; // marketing preferences and BSUID changes are the store's
    }
  }
  if (templatesChanged) deps.onTemplatesChanged();
}
