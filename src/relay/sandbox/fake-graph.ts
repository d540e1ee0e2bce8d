// The fake Meta Graph API under /sandbox/graph: sends, mark-read, media and templates, as the Cloud API answers them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Clock } from '../../shared/clock';
import type { CustomerDirectory } from './customers';
import { planDeliveries } from './delivery-plan';
import type { FaultMode } from './faults';
import * as errors from './graph-errors';
import { BodyTooLargeError, readBody } from '../../node-shared/http-body';
import { hasBearer, JSON_BODY_LIMIT, MEDIA_BODY_LIMIT, parseJson, sendJson, sendJsonAndClose } from './http-io';
import { ledgerEntryFor, type Ledger } from './ledger';
import type { MediaStore } from './media-store';
import type { SandboxDatabase } from './sandbox-db';
import { newConversationId, newWamid } from './sandbox-ids';
import { parseGraphMessage, type ValidSend } from './send-request';
import { findTemplate, templateListResponse } from './templates';
import type { BusinessIdentity } from './webhook-payloads';
import type { BusinessNumbers } from './business-numbers';
import type { WebhookOutbox } from './webhook-outbox';

export const GRAPH_PATH_PREFIX = '/sandbox/graph';
const MEDIA_BYTES_SEGMENT = 'media-bytes';
const VERSION = /^v\d+(\.\d+)?$/;
const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

export interface FakeGraphDeps {
  readonly db: SandboxDatabase;
  readonly ledger: Ledger;
  readonly media: MediaStore;
  readonly outbox: WebhookOutbox;
  readonly customers: CustomerDirectory;
  readonly clock: Clock;
  /** Our numbers: a send to /{phone-number-id}/messages leaves from that one, and its statuses and replies name it. */
  readonly numbers: BusinessNumbers;
  readonly accessToken: string;
  readonly statusDelayMs: number;
  readonly replyDelayMs: number;
  /** Consumes the injected fault, if any, for the send being handled. */
  readonly takeFault: () => FaultMode;
  /** Leaves a request unanswered until the client gives up or the sandbox closes. */
  readonly holdForever: (req: IncomingMessage, res: ServerResponse) => void;
}

export function createFakeGraph(deps: FakeGraphDeps): { handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> } {
  const problem = (res: ServerResponse, p: errors.GraphProblem): void => sendJson(res, p.httpStatus, errors.graphErrorBody(p));

  /** Reads a bounded body, answering 413 itself; undefined means the answer has been sent. */
  const body = async (req: IncomingMessage, res: ServerResponse, limit: number): Promise<Buffer | undefined> => {
    try {
      return await readBody(req, limit);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        const p = errors.TOO_LARGE(limit);
        sendJsonAndClose(req, res, p.httpStatus, errors.graphErrorBody(p));
        return undefined;
      }
      throw error;
    }
  };

  const postMessage = async (req: IncomingMessage, res: ServerResponse, identity: BusinessIdentity): Promise<void> => {
    const bytes = await body(req, res, JSON_BODY_LIMIT);
    if (bytes === undefined) return;
    const json = parseJson(bytes);
    if (!json.ok) return problem(res, errors.INVALID_JSON);
    const parsed = parseGraphMessage(
      json.value,
      (id) => deps.media.info(id) !== undefined,
      (id) => deps.customers.knowsGroup(id),
    );
    if (!parsed.ok) return problem(res, parsed.problem);
    if (parsed.value.kind === 'mark_read') {
      deps.ledger.markRead(parsed.value.messageId, deps.clock.wallNow());
      return sendJson(res, 200, { success: true });
    }

    const fault = deps.takeFault();
    if (fault === 'error500') return problem(res, errors.SERVER_ERROR);
    if (fault === 'throttle') return problem(res, errors.THROTTLED);
    if (fault === 'hang') return deps.holdForever(req, res);

    const send = parsed.value.send;
    const wamid = accept(send, identity);
    if (fault === 'accept_then_hang') return deps.holdForever(req, res);
    // Meta answers with wa_id for a phone number and user_id for a BSUID (the business-scoped user ids page).
    const contact = send.toKind === 'phone' ? { wa_id: send.to } : send.toKind === 'bsuid' ? { user_id: send.to } : {};
    sendJson(res, 200, { messaging_product: 'whatsapp', contacts: [{ input: send.input, ...contact }], messages: [{ id: wamid }] });
  };

  /** Records the send and its consequences in one transaction, then lets the outbox run them. */
  const accept = (send: ValidSend, identity: BusinessIdentity): string => {
    const wamid = newWamid();
    const entry = ledgerEntryFor(send, wamid, deps.clock.wallNow(), identity.phoneNumberId);
    const template = send.content.type === 'template' ? findTemplate(send.content.name, send.content.language) : undefined;
    const queued = deps.db.transaction(() => {
      deps.ledger.append(entry);
      return deps.outbox.insert(
        planDeliveries({
          identity,
          entry,
          statusDelayMs: deps.statusDelayMs,
          replyDelayMs: deps.replyDelayMs,
          conversationId: newConversationId(),
          pricingCategory: template === undefined ? 'service' : template.category.toLowerCase(),
          customer: send.toKind === 'group' ? null : deps.customers.person(send.to),
          replyWamid: newWamid(),
        }),
      );
    })();
    deps.outbox.activate(queued);
    return wamid;
  };

  const uploadMedia = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const contentType = req.headers['content-type'] ?? '';
    if (!contentType.toLowerCase().startsWith('multipart/form-data')) {
      return problem(res, errors.invalidParameter('Media must be uploaded as multipart/form-data.'));
    }
    const bytes = await body(req, res, MEDIA_BODY_LIMIT);
    if (bytes === undefined) return;
    let form: FormData;
    try {
      // Node's fetch implementation already parses multipart correctly; no need for a parser of our own.
      form = await new Response(bytes, { headers: { 'content-type': contentType } }).formData();
    } catch {
      return problem(res, errors.invalidParameter('The multipart body could not be parsed.'));
    }
    if (form.get('messaging_product') !== 'whatsapp') {
      return problem(res, errors.invalidParameter("The parameter messaging_product is required and must be 'whatsapp'."));
    }
    const file = form.get('file');
    if (file === null || typeof file === 'string') return problem(res, errors.invalidParameter('The parameter file is required.'));
    if (file.size === 0) return problem(res, errors.invalidParameter('The uploaded file is empty.'));
    const declaredType = form.get('type');
    const mimeType = typeof declaredType === 'string' && declaredType.length > 0 ? declaredType : file.type;
    if (!/^[\w.+-]+\/[\w.+-]+$/.test(mimeType)) return problem(res, errors.invalidParameter('The parameter type must be a MIME type.'));
    const stored = deps.media.put(
      { bytes: Buffer.from(await file.arrayBuffer()), mimeType, fileName: file.name.length > 0 ? file.name : null },
      deps.clock.wallNow(),
    );
    sendJson(res, 200, { id: stored.id });
  };

  const mediaInfo = (req: IncomingMessage, res: ServerResponse, mediaId: string): void => {
    const info = deps.media.info(mediaId);
    if (info === undefined) return problem(res, errors.unknownObject(mediaId, 'get'));
    const host = typeof req.headers.host === 'string' && HOST.test(req.headers.host) ? req.headers.host : `127.0.0.1:${req.socket.localPort ?? 80}`;
    const scheme = (req.socket as TLSSocket).encrypted === true ? 'https' : 'http';
    sendJson(res, 200, {
      messaging_product: 'whatsapp',
      url: `${scheme}://${host}${GRAPH_PATH_PREFIX}/${MEDIA_BYTES_SEGMENT}/${encodeURIComponent(info.id)}`,
      mime_type: info.mimeType,
      sha256: info.sha256,
      file_size: info.size,
      id: info.id,
    });
  };

  const mediaBytes = (res: ServerResponse, mediaId: string): void => {
    const found = deps.media.bytes(mediaId);
    if (found === undefined) return problem(res, { httpStatus: 404, code: 100, title: 'Media not found' });
    res.writeHead(200, { 'content-type': found.info.mimeType, 'content-length': found.bytes.length, 'cache-control': 'no-store' });
    res.end(found.bytes);
  };

  return {
    async handle(req, res, url) {
      if (!hasBearer(req, deps.accessToken)) return problem(res, errors.INVALID_TOKEN);
      const segments = url.pathname
        .slice(GRAPH_PATH_PREFIX.length + 1)
        .split('/')
        .map(decodeSegment);
      const method = req.method ?? 'GET';
      const [first, id, edge, ...rest] = segments;

      if (first === MEDIA_BYTES_SEGMENT && id !== undefined && edge === undefined && method === 'GET') return mediaBytes(res, id);
      if (first === undefined || !VERSION.test(first) || id === undefined || id.length === 0 || rest.length > 0) {
        return problem(res, errors.UNKNOWN_PATH);
      }

      if (edge === undefined) {
        if (method !== 'GET') return problem(res, errors.unknownObject(id, 'post'));
        return mediaInfo(req, res, id);
      }
      const number = deps.numbers.get(id);
      if (edge === 'messages' && method === 'POST') {
        if (number === undefined) return problem(res, errors.unknownObject(id, 'post'));
        return postMessage(req, res, number);
      }
      if (edge === 'media' && method === 'POST') {
        if (number === undefined) return problem(res, errors.unknownObject(id, 'post'));
        return uploadMedia(req, res);
      }
      if (edge === 'message_templates' && method === 'GET') {
        if (id !== deps.numbers.primary.businessAccountId) return problem(res, errors.unknownObject(id, 'get'));
        return sendJson(res, 200, templateListResponse());
      }
      return problem(res, errors.UNKNOWN_PATH);
    },
  };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
