// One Graph API exchange: bearer, deadline, capped body, and failures sorted into "never left" and "may have reached Meta".
import { judgeGraphError } from '../domain/graph-verdict';
import { cap, type Redactor } from '../domain/graph-redact';
import type { ErrorCode } from '../../shared/errors';
import type { ProviderError, ProviderResult } from './provider';

/** Graph's JSON answers are small; the cap keeps a broken proxy from filling memory. */
const MAX_JSON_BYTES = 8 * 1024 * 1024;

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
export interface Answer {
  readonly kind: 'answer';
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

/** No usable answer. `ambiguous`: the request may have reached Meta. */
export interface Lost {
  readonly kind: 'lost';
  readonly reason: 'timeout' | 'network';
  readonly ambiguous: boolean;
  /** Our words and an error code only: never a URL, header or Meta-echoed text. */
  readonly detail: string;
}

export type Exchange = (url: string, init: RequestInit, limitMs?: number) => Promise<Answer | Lost>;

export function createExchange(doFetch: typeof fetch, auth: Record<string, string>, timeoutMs: number): Exchange {
  return async (url, init, limitMs = timeoutMs) => {
    let response: Response;
    try {
      response = await doFetch(url, { ...init, headers: { ...auth, ...headersOf(init) }, signal: AbortSignal.timeout(limitMs) });
    } catch (error) {
      return lostFrom(error, limitMs);
    }
    try {
      const bytes = await readCapped(response.body, MAX_JSON_BYTES);
      return { kind: 'answer', status: response.status, headers: response.headers, body: bytes === undefined ? undefined : jsonOrUndefined(bytes) };
    } catch (error) {
      // Headers came but the body did not: a 2xx may mean Meta acted; an error status means it did not.
      return { ...lostFrom(error, limitMs), ambiguous: response.ok };
    }
  };
}

function headersOf(init: RequestInit): Record<string, string> {
  return Object.fromEntries(new Headers(init.headers).entries());
}

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/**
 * Failures of the calls other than sends. Rate limits, a bad token and Meta's own trouble are
 * worth retrying (the same call can succeed later unchanged); a refused request is not.
 */
export function problem<T>(operation: string, result: Answer | Lost, redact: Redactor): ProviderResult<T> {
  if (result.kind === 'lost') return providerError(result.reason === 'timeout' ? 'timeout' : 'unavailable', `${operation}: ${result.detail}`, true);
  const verdict = judgeGraphError({ status: result.status, body: result.body, retryAfter: result.headers.get('retry-after') }, redact);
  const message = cap(`${operation}: Graph answered HTTP ${result.status}: ${verdict.text}`);
  const code: ErrorCode =
    verdict.kind === 'retry'
      ? verdict.reason === 'rate_limited' || verdict.reason === 'pair_rate_limited'
        ? 'rate_limited'
        : verdict.reason === 'timeout'
          ? 'timeout'
          : 'unavailable'
      : verdict.code === 'rejected'
        ? 'invalid_input'
        : verdict.code;
  return providerError(code, message, verdict.kind === 'retry', verdict.metaCode);
}

export function unexpected<T>(operation: string): ProviderResult<T> {
  return providerError('unavailable', `${operation}: Graph answered 2xx in an unexpected shape`, true);
}

/** Refused here, before or after asking Meta: the same call would fail the same way. */
export function refused<T>(message: string): ProviderResult<T> {
  return providerError('invalid_input', message, false);
}

function providerError(code: ErrorCode, message: string, retryable: boolean, metaCode?: number): { ok: false; error: ProviderError } {
  return { ok: false, error: { code, message, retryable, ...(metaCode !== undefined && { metaCode }) } };
}

export function lostFrom(error: unknown, limitMs: number): Lost {
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

/** The whole body, or undefined past `limit` (the rest is cancelled, not read). */
export async function readCapped(body: ReadableStream<Uint8Array> | null, limit: number, onChunk?: (chunk: Uint8Array) => void): Promise<Buffer | undefined> {
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

/** Graph's body as JSON, left unknown for the caller's schema; undefined when it is not JSON at all. */
function jsonOrUndefined(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Error objects from fetch and undici, whose shape varies by version: read field by field. */
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
