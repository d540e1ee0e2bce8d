// HTTP face of the webhook: Meta's verification handshake, then signed deliveries stored before the 200.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log';
import { BodyTooLargeError, readBody } from '../../node-shared/http-body';
import { secretsEqual } from '../../node-shared/secret-compare';
import { refuseRest, sendError } from '../http-util';
import type { RelayStore } from '../store/relay-store';
import { parseWebhook } from '../domain/parse-webhook';
import { verifySignature } from './signature';

/** Meta's deliveries are a few KB; anything near this is not from Meta. */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;

export interface WebhookRouteDeps {
  appSecret: string;
  verifyToken: string;
  store: RelayStore;
  log: Logger;
  now: () => number;
  onCommitted: () => void;
  onMedia: (media: readonly { mediaId: string; waMediaId: string }[]) => void;
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

export async function handleWebhookPost(req: IncomingMessage, res: ServerResponse, deps: WebhookRouteDeps): Promise<void> {
  let raw: Buffer;
  try {
    raw = await readBody(req, MAX_WEBHOOK_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
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
    deps.log.warn('webhook.refused', { reason: signature === undefined ? 'unsigned' : 'bad_signature', bytes: raw.length });
    sendError(res, 401, 'unauthorized', 'X-Hub-Signature-256 is missing or does not match the body');
    return;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    deps.log.warn('webhook.refused', { reason: 'invalid_json' });
    sendError(res, 400, 'invalid_input', 'body is not valid JSON');
    return;
  }
  const parsed = parseWebhook(json);
  if (!parsed.ok) {
    deps.log.warn('webhook.refused', { reason: 'malformed', detail: parsed.error.message });
    sendError(res, 400, 'invalid_input', parsed.error.message);
    return;
  }
  const outcome = await deps.store.recordWebhook(parsed.value, deps.now());
  // Only now, with the delivery committed, does Meta hear 200: anything earlier could lose it.
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('OK');
  deps.log.info('webhook.accepted', {
    messages: parsed.value.messages.length,
    statuses: parsed.value.statuses.length,
    repeated: !outcome.changed,
  });
  if (outcome.changed) deps.onCommitted();
  if (outcome.mediaToFetch.length > 0) deps.onMedia(outcome.mediaToFetch);
}
