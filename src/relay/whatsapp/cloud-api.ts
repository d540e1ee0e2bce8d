// Meta's WhatsApp Cloud API behind the provider port: sends, read receipts, media both ways, templates.
import { createHash } from 'node:crypto';
import type { SendFailure, Template } from '../../shared/domain';
import type { FetchedMedia, ProviderContent, ProviderResult, ProviderSend, SendOutcome, WhatsAppProvider } from './provider';
import { metaFailureCode } from './meta-errors';

export interface CloudApiOptions {
  /** Base such as `https://graph.facebook.com` or the sandbox's `http://127.0.0.1:PORT/sandbox/graph`. */
  readonly graphUrl: string;
  readonly apiVersion?: string;
  readonly phoneNumberId: string;
  readonly accessToken: string;
  /** Needed only to list templates (they belong to the WhatsApp Business Account, not the number). */
  readonly businessAccountId?: string;
  readonly requestTimeoutMs?: number;
  readonly maxMediaBytes?: number;
  readonly fetch?: typeof fetch;
}

const DEFAULT_API_VERSION = 'v21.0';
const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_MAX_MEDIA_BYTES = 100 * 1024 * 1024;
/** Graph's JSON answers are small; the cap keeps a broken proxy from filling memory. */
const MAX_JSON_BYTES = 8 * 1024 * 1024;
/** Upload time grows with size: a fixed 15 s would fail large documents on a modest uplink. */
const UPLOAD_MS_PER_MIB = 1_000;
const MAX_TEMPLATE_PAGES = 20;
/** A bad token needs a person to fix it: retrying faster only burns Meta's error budget. */
const AUTH_RETRY_MS = 60_000;
const MAX_MESSAGE_CHARS = 1_000;
/** Phone numbers in Meta's texts (7+ digits); Meta's own error codes have at most 6. */
const PHONE_LIKE = /\+?\d(?:[ -]?\d){6,}/g;

type RetryReason = Extract<SendOutcome, { kind: 'retry' }>['reason'];
type FailureCode = SendFailure['code'];

const RETRY_BY_META_CODE = new Map<number, RetryReason>([
  [4, 'rate_limited'],
  [613, 'rate_limited'],
  [80007, 'rate_limited'],
  [130429, 'rate_limited'],
  [131056, 'pair_rate_limited'],
  [190, 'auth'],
  [1, 'server_error'],
  [2, 'server_error'],
  [131000, 'server_error'],
  [131016, 'server_error'],
]);

/**
 * Failures that happen before a single request byte leaves the machine: a send that failed this
 * way cannot have reached Meta, so it may be resent at once. Anything else after the request
 * started counts as possibly delivered.
 */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_INVALID_URL',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Graph answered (any status), with its body parsed as JSON when it was JSON. */
interface Answer {
  readonly kind: 'answer';
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

/** No usable answer. `ambiguous`: the request may have reached Meta. */
interface Lost {
  readonly kind: 'lost';
  readonly reason: 'timeout' | 'network';
  readonly ambiguous: boolean;
  /** Our words and an error code only: never a URL, header or Meta-echoed text. */
  readonly detail: string;
}

type Verdict =
  | { readonly kind: 'retry'; readonly reason: RetryReason; readonly retryAfterMs?: number; readonly metaCode?: number; readonly text: string }
  | { readonly kind: 'failed'; readonly code: FailureCode; readonly metaCode?: number; readonly text: string };

/** Strips what must never reach a log or an agent's screen: the token, the message, phone numbers. */
type Redactor = (text: string) => string;

export function createCloudApiProvider(options: CloudApiOptions): WhatsAppProvider {
  const base = parseBase(options.graphUrl);
  const version = options.apiVersion ?? DEFAULT_API_VERSION;
  const timeoutMs = positive('requestTimeoutMs', options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS);
  const maxMediaBytes = positive('maxMediaBytes', options.maxMediaBytes ?? DEFAULT_MAX_MEDIA_BYTES);
  const token = options.accessToken;
  // A token with control characters would make fetch throw an error that quotes the header.
  if (!/^[\x21-\x7e]+$/.test(token)) throw new RangeError('accessToken is empty or has characters not allowed in an HTTP header');
  const doFetch: typeof fetch = options.fetch ?? ((input, init) => fetch(input, init));
  const auth = { authorization: `Bearer ${token}` };
  const graph = (...segments: string[]): string => [base.href.replace(/\/+$/, ''), version, ...segments.map(encodeURIComponent)].join('/');
  const messagesUrl = graph(options.phoneNumberId, 'messages');
  const tokenOnly = makeRedactor(token, []);

  async function exchange(url: string, init: RequestInit, limitMs = timeoutMs): Promise<Answer | Lost> {
    let response: Response;
    try {
      response = await doFetch(url, {
        ...init,
        headers: { ...auth, ...(init.headers as Record<string, string> | undefined) },
        signal: AbortSignal.timeout(limitMs),
      });
    } catch (error) {
      return lostFrom(error, limitMs);
    }
    try {
      const bytes = await readCapped(response.body, MAX_JSON_BYTES);
      return { kind: 'answer', status: response.status, headers: response.headers, body: bytes === undefined ? undefined : parseJson(bytes) };
    } catch (error) {
      // Headers came but the body did not: a 2xx may mean Meta acted; an error status means it did not.
      return { ...lostFrom(error, limitMs), ambiguous: response.ok };
    }
  }

  async function postJson(url: string, payload: unknown): Promise<Answer | Lost> {
    return exchange(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
  }

  return {
    async sendMessage(send: ProviderSend): Promise<SendOutcome> {
      const redact = makeRedactor(token, [send.to, ...contentStrings(send.content)]);
      const result = await postJson(messagesUrl, messagePayload(send));
      if (result.kind === 'lost') return { kind: 'retry', reason: result.reason, ambiguous: result.ambiguous };
      if (isSuccess(result.status)) {
        const wamid = readWamid(result.body);
        // Meta said yes but we cannot tell to what: only a status webhook can settle it.
        return wamid === undefined ? { kind: 'retry', reason: 'server_error', ambiguous: true } : { kind: 'accepted', wamid };
      }
      const verdict = judgeGraphError(result, redact);
      if (verdict.kind === 'retry') {
        return {
          kind: 'retry',
          reason: verdict.reason,
          ambiguous: false,
          ...(verdict.retryAfterMs !== undefined && { retryAfterMs: verdict.retryAfterMs }),
          ...(verdict.metaCode !== undefined && { metaCode: verdict.metaCode }),
        };
      }
      return { kind: 'failed', failure: { code: verdict.code, message: verdict.text, ...(verdict.metaCode !== undefined && { metaCode: verdict.metaCode }) } };
    },

    async markRead(wamid: string): Promise<ProviderResult<true>> {
      const result = await postJson(messagesUrl, { messaging_product: 'whatsapp', status: 'read', message_id: wamid });
      if (result.kind === 'answer' && isSuccess(result.status)) {
        return isRecord(result.body) && result.body.success === true ? { ok: true, value: true } : unexpected('mark read');
      }
      return problem('mark read', result, tokenOnly);
    },

    async uploadMedia(file): Promise<ProviderResult<string>> {
      const form = new FormData();
      form.append('messaging_product', 'whatsapp');
      form.append('type', file.mimeType);
      form.append('file', new Blob([new Uint8Array(file.bytes)], { type: file.mimeType }), file.fileName);
      const limitMs = timeoutMs + Math.ceil(file.bytes.length / (1024 * 1024)) * UPLOAD_MS_PER_MIB;
      const result = await exchange(graph(options.phoneNumberId, 'media'), { method: 'POST', body: form }, limitMs);
      if (result.kind === 'answer' && isSuccess(result.status)) {
        const id = isRecord(result.body) ? result.body.id : undefined;
        return typeof id === 'string' && id !== '' ? { ok: true, value: id } : unexpected('media upload');
      }
      return problem('media upload', result, makeRedactor(token, [file.fileName]));
    },

    async fetchMedia(waMediaId: string): Promise<ProviderResult<FetchedMedia>> {
      // Media ids are numeric; refusing '..' and the like keeps the id from escaping its path segment.
      if (!/^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/.test(waMediaId)) return refused('media fetch: not a WhatsApp media id');
      const meta = await exchange(graph(waMediaId), { method: 'GET' });
      if (meta.kind === 'lost' || !isSuccess(meta.status)) return problem('media fetch', meta, tokenOnly);
      const info = readMediaInfo(meta.body);
      if (info === undefined) return unexpected('media fetch');
      if (info.fileSize !== undefined && info.fileSize > maxMediaBytes) {
        return refused(`media fetch: ${info.fileSize} bytes is over the ${maxMediaBytes}-byte limit`);
      }
      let url: URL;
      try {
        url = new URL(info.url);
      } catch {
        return unexpected('media fetch');
      }
      // The download carries the bearer token: never over anything weaker than the Graph call itself.
      const allowed = base.protocol === 'https:' ? ['https:'] : ['https:', 'http:'];
      if (!allowed.includes(url.protocol)) return refused('media fetch: the download link is not https');
      return download(url, info);
    },

    async listTemplates(): Promise<ProviderResult<Template[]>> {
      if (options.businessAccountId === undefined || options.businessAccountId === '') return { ok: true, value: [] };
      const templates: Template[] = [];
      let next: string | undefined = `${graph(options.businessAccountId, 'message_templates')}?fields=name,language,status,category,components&limit=100`;
      for (let page = 0; next !== undefined && page < MAX_TEMPLATE_PAGES; page++) {
        const result = await exchange(next, { method: 'GET' });
        if (result.kind === 'lost' || !isSuccess(result.status)) return problem('list templates', result, tokenOnly);
        if (!isRecord(result.body) || !Array.isArray(result.body.data)) return unexpected('list templates');
        for (const item of result.body.data) {
          const template = toTemplate(item);
          if (template !== undefined) templates.push(template);
        }
        next = nextPage(result.body.paging);
        // The link is followed with the bearer token, so it must stay on the Graph API's origin.
        if (next !== undefined && !sameOrigin(next, base)) return refused('list templates: the next-page link leaves the Graph API');
      }
      return { ok: true, value: templates };
    },
  };

  async function download(url: URL, info: MediaInfo): Promise<ProviderResult<FetchedMedia>> {
    // An idle timer rather than one deadline: a 100 MiB file may take longer than a JSON call but must keep moving.
    const controller = new AbortController();
    let timer = setTimeout(() => controller.abort(new DOMException('media download stalled', 'TimeoutError')), timeoutMs);
    const touch = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(new DOMException('media download stalled', 'TimeoutError')), timeoutMs);
    };
    try {
      let response: Response;
      try {
        response = await doFetch(url, { method: 'GET', headers: auth, signal: controller.signal });
      } catch (error) {
        return problem('media download', lostFrom(error, timeoutMs), tokenOnly);
      }
      if (!isSuccess(response.status)) {
        await response.body?.cancel().catch(() => undefined);
        return problem('media download', { kind: 'answer', status: response.status, headers: response.headers, body: undefined }, tokenOnly);
      }
      const declared = Number(response.headers.get('content-length') ?? Number.NaN);
      if (declared > maxMediaBytes) {
        await response.body?.cancel().catch(() => undefined);
        return refused(`media download: ${declared} bytes is over the ${maxMediaBytes}-byte limit`);
      }
      const hash = createHash('sha256');
      let bytes: Buffer | undefined;
      try {
        bytes = await readCapped(response.body, maxMediaBytes, (chunk) => {
          touch();
          hash.update(chunk);
        });
      } catch (error) {
        return problem('media download', lostFrom(error, timeoutMs), tokenOnly);
      }
      if (bytes === undefined) return refused(`media download: more than the ${maxMediaBytes}-byte limit`);
      const digest = hash.digest();
      if (info.sha256 !== undefined && !digestMatches(info.sha256, digest)) return refused('media download: SHA-256 does not match what Meta announced');
      const mimeType = info.mimeType ?? response.headers.get('content-type') ?? 'application/octet-stream';
      // Hex, whichever form Meta used: one spelling for everything downstream.
      return { ok: true, value: { bytes, mimeType, sha256: digest.toString('hex') } };
    } finally {
      clearTimeout(timer);
    }
  }
}

function messagePayload(send: ProviderSend): Record<string, unknown> {
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: send.to,
    type: send.content.type,
    ...contentFields(send.content),
    ...(send.replyToWamid !== undefined && { context: { message_id: send.replyToWamid } }),
    biz_opaque_callback_data: send.bizOpaque,
  };
}

function contentFields(content: ProviderContent): Record<string, unknown> {
  switch (content.type) {
    case 'text':
      return { text: { body: content.body, preview_url: content.previewUrl ?? false } };
    case 'image':
      return { image: { id: content.waMediaId, ...(content.caption !== undefined && { caption: content.caption }) } };
    case 'document':
      return {
        document: {
          id: content.waMediaId,
          ...(content.fileName !== undefined && { filename: content.fileName }),
          ...(content.caption !== undefined && { caption: content.caption }),
        },
      };
    case 'template':
      return {
        template: {
          name: content.name,
          language: { code: content.language },
          ...(content.parameters.length > 0 && {
            components: [{ type: 'body', parameters: content.parameters.map((text) => ({ type: 'text', text })) }],
          }),
        },
      };
  }
}

/** What the customer would read: Meta may quote it back in an error, so it is redacted from messages. */
function contentStrings(content: ProviderContent): string[] {
  switch (content.type) {
    case 'text':
      return [content.body];
    case 'image':
      return content.caption === undefined ? [] : [content.caption];
    case 'document':
      return [content.fileName, content.caption].filter((s): s is string => s !== undefined);
    case 'template':
      return [...content.parameters];
  }
}

/**
 * Meta's `code` decides before the HTTP status: Meta documents the code as the thing to act on,
 * and the same status (400) carries both "retry later" (130429) and "never" (131026).
 */
function judgeGraphError(answer: Answer, redact: Redactor): Verdict {
  const error = readGraphError(answer.body);
  const metaCode = error?.code;
  const text = redact(error?.text ?? `HTTP ${answer.status}`);
  const retryAfterMs = parseRetryAfter(answer.headers.get('retry-after'));
  const retry = (reason: RetryReason): Verdict => {
    const after = reason === 'auth' ? AUTH_RETRY_MS : retryAfterMs;
    return { kind: 'retry', reason, text, ...(after !== undefined && { retryAfterMs: after }), ...(metaCode !== undefined && { metaCode }) };
  };
  const failed = (code: FailureCode): Verdict => ({ kind: 'failed', code, text, ...(metaCode !== undefined && { metaCode }) });

  const retryReason = metaCode === undefined ? undefined : RETRY_BY_META_CODE.get(metaCode);
  if (retryReason !== undefined) return retry(retryReason);
  const failure = metaFailureCode(metaCode);
  if (failure !== undefined) return failed(failure);
  if (answer.status === 429) return retry('rate_limited');
  if (answer.status === 401) return retry('auth');
  if (answer.status >= 400 && answer.status < 500) return failed('rejected');
  return retry('server_error');
}

/**
 * Failures of the calls other than sends. Rate limits, a bad token and Meta's own trouble are
 * worth retrying (the same call can succeed later unchanged); a refused request is not.
 */
function problem<T>(operation: string, result: Answer | Lost, redact: Redactor): ProviderResult<T> {
  if (result.kind === 'lost') return { ok: false, retryable: true, message: `${operation}: ${result.detail}` };
  const verdict = judgeGraphError(result, redact);
  const message = cap(`${operation}: Graph answered HTTP ${result.status}: ${verdict.text}`);
  return { ok: false, retryable: verdict.kind === 'retry', message, ...(verdict.metaCode !== undefined && { metaCode: verdict.metaCode }) };
}

function unexpected<T>(operation: string): ProviderResult<T> {
  return { ok: false, retryable: true, message: `${operation}: Graph answered 2xx in an unexpected shape` };
}

function refused<T>(message: string): ProviderResult<T> {
  return { ok: false, retryable: false, message };
}

function lostFrom(error: unknown, limitMs: number): Lost {
  if (isAbort(error)) return { kind: 'lost', reason: 'timeout', ambiguous: true, detail: `no answer within ${limitMs} ms` };
  const code = errorCode(error);
  return {
    kind: 'lost',
    reason: 'network',
    ambiguous: code === undefined || !NOT_SENT_CODES.has(code),
    detail: `connection failed (${code ?? 'no error code'})`,
  };
}

function isAbort(error: unknown): boolean {
  for (let e = error, depth = 0; isRecord(e) && depth < 5; e = e.cause, depth++) {
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return true;
  }
  return false;
}

/** The first system error code in the cause chain (undici wraps them in `TypeError: fetch failed`). */
function errorCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; isRecord(e) && depth < 5; depth++) {
    if (typeof e.code === 'string' && /^[A-Z0-9_]{1,40}$/.test(e.code)) return e.code;
    // Happy-eyeballs connects fail as an AggregateError of per-address errors.
    e = e.cause ?? (Array.isArray(e.errors) ? (e.errors[0] as unknown) : undefined);
  }
  return undefined;
}

async function readCapped(body: ReadableStream<Uint8Array> | null, limit: number, onChunk?: (chunk: Uint8Array) => void): Promise<Buffer | undefined> {
  if (body === null) return Buffer.alloc(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    onChunk?.(value);
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

function readGraphError(body: unknown): { code?: number; text: string } | undefined {
  if (!isRecord(body) || !isRecord(body.error)) return undefined;
  const { code, message, title, error_data: data } = body.error;
  const headline = typeof message === 'string' ? message : typeof title === 'string' ? title : undefined;
  const details = isRecord(data) && typeof data.details === 'string' ? data.details : undefined;
  const text = [headline, details].filter((s) => s !== undefined && s !== '').join(': ');
  return { ...(typeof code === 'number' && Number.isInteger(code) && { code }), text: text === '' ? 'no error message' : text };
}

function readWamid(body: unknown): string | undefined {
  if (!isRecord(body) || !Array.isArray(body.messages)) return undefined;
  const first: unknown = body.messages[0];
  return isRecord(first) && typeof first.id === 'string' && first.id !== '' ? first.id : undefined;
}

interface MediaInfo {
  readonly url: string;
  readonly mimeType?: string;
  readonly sha256?: string;
  readonly fileSize?: number;
}

function readMediaInfo(body: unknown): MediaInfo | undefined {
  if (!isRecord(body) || typeof body.url !== 'string') return undefined;
  // Graph has sent file_size both as a number and as a string.
  const size = typeof body.file_size === 'string' ? Number(body.file_size) : body.file_size;
  return {
    url: body.url,
    ...(typeof body.mime_type === 'string' && body.mime_type !== '' && { mimeType: body.mime_type }),
    ...(typeof body.sha256 === 'string' && body.sha256 !== '' && { sha256: body.sha256 }),
    ...(typeof size === 'number' && Number.isFinite(size) && { fileSize: size }),
  };
}

/** Meta documents the media hash as base64; some answers carry hex. */
function digestMatches(expected: string, digest: Buffer): boolean {
  const value = expected.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return value.toLowerCase() === digest.toString('hex');
  const decoded = Buffer.from(value, 'base64');
  return decoded.length === digest.length && decoded.equals(digest);
}

function toTemplate(item: unknown): Template | undefined {
  if (!isRecord(item) || item.status !== 'APPROVED') return undefined;
  const { name, language, category, components } = item;
  if (typeof name !== 'string' || typeof language !== 'string') return undefined;
  const bodyComponent = Array.isArray(components)
    ? (components as unknown[]).find((c) => isRecord(c) && typeof c.type === 'string' && c.type.toUpperCase() === 'BODY')
    : undefined;
  const body = isRecord(bodyComponent) && typeof bodyComponent.text === 'string' ? bodyComponent.text : '';
  return { name, language, category: typeof category === 'string' ? category : '', body, parameterCount: countPlaceholders(body) };
}

/** {{1}} used twice is still one parameter to fill. */
function countPlaceholders(body: string): number {
  return new Set([...body.matchAll(/\{\{\s*(\d+)\s*\}\}/g)].map((m) => m[1])).size;
}

function nextPage(paging: unknown): string | undefined {
  return isRecord(paging) && typeof paging.next === 'string' && paging.next !== '' ? paging.next : undefined;
}

function sameOrigin(link: string, base: URL): boolean {
  try {
    return new URL(link).origin === base.origin;
  } catch {
    return false;
  }
}

function parseRetryAfter(header: string | null): number | undefined {
  if (header === null || !/^\s*\d+(\.\d+)?\s*$/.test(header)) return undefined;
  return Math.round(Number(header) * 1000);
}

function makeRedactor(token: string, secrets: readonly string[]): Redactor {
  // Short strings ("Hi") would blank out ordinary words; longest first so overlaps go whole.
  const words = [token, ...secrets.filter((s) => s.length >= 4)].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const word of words) out = out.split(word).join('[redacted]');
    return cap(out.replace(PHONE_LIKE, '[number]'));
  };
}

function cap(text: string): string {
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS - 1)}…` : text;
}

function parseBase(graphUrl: string): URL {
  let url: URL;
  try {
    url = new URL(graphUrl);
  } catch {
    throw new RangeError('graphUrl is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new RangeError('graphUrl must be http or https');
  if (url.search !== '' || url.hash !== '') throw new RangeError('graphUrl must not carry a query or fragment');
  return url;
}

function positive(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
