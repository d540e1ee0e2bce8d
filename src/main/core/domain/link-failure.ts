// What a failed link means, decided without I/O: the close code, HTTP answer or socket error → what the connection
// does next and the detail code the status bar puts into words (core sends codes, never sentences).
import type { ConnectionDetail, ConnectionDetailCode } from '../../../shared/contract';
import { CloseCode } from '../../../shared/protocol';

/** What the connection does after a link failed. */
export type Next =
  | { retry: 'backoff' | 'soon' | 'now' | 'capped' }
  /** The relay throttles this address or agent (429, 4008): back off as usual, but never sooner than it asked. */
  | { retry: 'after'; atLeastMs: number }
  | { retry: 'never'; status: 'credentials_needed' | 'unsupported_version' | 'superseded' };

export interface LinkFailure {
  next: Next;
  detail: ConnectionDetail;
  tls: boolean;
}

export type TransportKind = 'ws' | 'poll';

/** How a transport ended on its own (never reported after close() was called). */
export type TransportEnd =
  /** A close code: the WebSocket's, or a long-poll receive's `{"closed": {...}}`. */
  | { kind: 'closed'; code: number; reason: string }
  /** An HTTP answer other than the expected one: a refused upgrade, or a long-poll 401/404/… */
  | { kind: 'http'; status: number; errorCode: string | null; retryAfter?: string | null }
  /** The socket failed: unreachable, reset, TLS, proxy. */
  | { kind: 'network'; error: unknown };

export function detail(code: ConnectionDetailCode, params: ConnectionDetail['params'] = {}): ConnectionDetail {
  return { code, params };
}

const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
  'CERT_REVOKED',
]);
const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
const WRONG_HOST = new Set(['ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH']);

function fieldOf(error: unknown, field: 'code' | 'name' | 'message' | 'status' | 'expected' | 'presented'): unknown {
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[field] : undefined;
}

/** A socket error's code (ECONNREFUSED, CERT_HAS_EXPIRED), or null. */
export function errorCode(error: unknown): string | null {
  const code = fieldOf(error, 'code');
  return typeof code === 'string' && code !== '' ? code.slice(0, 64) : null;
}

/**
 * Names a socket-level failure. TLS failures are told apart because they are not "offline": usually a TLS-inspecting
 * proxy whose root the console does not trust yet (the fix is the CA setting).
 */
export function networkFailure(error: unknown): { detail: ConnectionDetail; tls: boolean } {
  const code = errorCode(error);
  if (fieldOf(error, 'name') === 'ProxyError') {
    const status = fieldOf(error, 'status');
    return { detail: detail('proxy_failed', typeof status === 'number' ? { httpStatus: status } : {}), tls: false };
  }
  if (code === null) return { detail: detail('network_error'), tls: false };
  const params = { error: code };
  if (code === 'ERR_TLS_PIN_MISMATCH') {
    const text = (field: 'expected' | 'presented') => {
      const value = fieldOf(error, field);
      return typeof value === 'string' && value !== '' ? { [field]: value.slice(0, 120) } : {};
    };
    return { detail: detail('tls_pin_mismatch', { ...params, ...text('expected'), ...text('presented') }), tls: true };
  }
  if (UNTRUSTED.has(code)) return { detail: detail('tls_untrusted', params), tls: true };
  if (EXPIRED.has(code)) return { detail: detail('tls_expired', params), tls: true };
  if (WRONG_HOST.has(code)) return { detail: detail('tls_wrong_host', params), tls: true };
  const message = fieldOf(error, 'message');
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || (code === 'EPROTO' && typeof message === 'string' && /ssl|tls/i.test(message))) {
    return { detail: detail('tls_handshake', params), tls: true };
  }
  if (code === 'ECONNREFUSED') return { detail: detail('unreachable', params), tls: false };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { detail: detail('dns_failed', params), tls: false };
  return { detail: detail('network_error', params), tls: false };
}

/** Without a usable Retry-After the relay's throttle is waited out for this long at least (its lock is seconds). */
const RATE_LIMITED_DEFAULT_MS = 5_000;
const RATE_LIMITED_MAX_MS = 15 * 60_000;

/** Retry-After in milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or unreadable. */
export function retryAfterMs(header: string | null | undefined, nowMs: number): number | null {
  if (header === null || header === undefined || header.trim() === '') return null;
  const text = header.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - nowMs;
  return Number.isFinite(ms) ? Math.min(RATE_LIMITED_MAX_MS, Math.max(0, ms)) : null;
}

/** Throttled (429, or 4008 whose reason says "retry after N s"): wait, on the same transport; not a bad token. */
function rateLimited(waitMs: number | null, params: ConnectionDetail['params']): LinkFailure {
  const atLeastMs = waitMs ?? RATE_LIMITED_DEFAULT_MS;
  return { next: { retry: 'after', atLeastMs }, detail: detail('rate_limited', { ...params, seconds: Math.ceil(atLeastMs / 1000) }), tls: false };
}

/** What a transport's own end means: close codes per protocol.md, HTTP answers of the upgrade or the poll, socket failures. */
export function interpretEnd(
  end: TransportEnd,
  link: { kind: TransportKind; wasLive: boolean; fallbackOnRefusal: boolean },
  nowMs: number = Date.now(),
): LinkFailure {
  if (end.kind === 'closed' && end.code === CloseCode.rateLimited) {
    const seconds = /retry after (\d+) s/i.exec(end.reason)?.[1];
    return rateLimited(seconds === undefined ? null : retryAfterMs(seconds, nowMs), { closeCode: end.code });
  }
  if (end.kind === 'closed') return { next: closeCodeNext(end.code), detail: closeDetail(end.code), tls: false };
  if (end.kind === 'network') {
    const failure = networkFailure(end.error);
    // An open link that broke is "connection lost"; the socket's own code stays as the hint for IT.
    if (link.wasLive && !failure.tls) return { next: { retry: 'backoff' }, detail: detail('connection_lost', failure.detail.params), tls: false };
    return { next: { retry: 'backoff' }, ...failure };
  }
  // The relay's throttle, on the upgrade as on a poll: not "WebSocket blocked", not a refused token (protocol.md).
  if (end.status === 429) return rateLimited(retryAfterMs(end.retryAfter, nowMs), { httpStatus: 429 });
  if (link.kind === 'ws') {
    // A proxy that refuses upgrades: in auto mode the same frames go over plain HTTP at once.
    if (link.fallbackOnRefusal) return { next: { retry: 'now' }, detail: detail('polling_fallback', { httpStatus: end.status }), tls: false };
    return { next: { retry: 'backoff' }, detail: detail('upgrade_refused', { httpStatus: end.status }), tls: false };
  }
  if (end.status === 401) return { next: { retry: 'never', status: 'credentials_needed' }, detail: detail('token_refused'), tls: false };
  if (end.errorCode === 'unsupported_version')
    return { next: { retry: 'never', status: 'unsupported_version' }, detail: detail('version_unsupported'), tls: false };
  if (end.status === 404 && link.wasLive) return { next: { retry: 'soon' }, detail: detail('poll_session_lost'), tls: false };
  return {
    next: { retry: 'backoff' },
    detail: detail('http_error', { httpStatus: end.status, ...(end.errorCode !== null && { error: end.errorCode.slice(0, 64) }) }),
    tls: false,
  };
}

function closeCodeNext(code: number): Next {
  switch (code) {
    case CloseCode.unauthorized:
      return { retry: 'never', status: 'credentials_needed' };
    case CloseCode.unsupportedVersion:
      return { retry: 'never', status: 'unsupported_version' };
    case CloseCode.superseded:
      return { retry: 'never', status: 'superseded' };
    // Teams or role changed (accessChanged): the next hello is a resync to what the agent may see now; no reason to wait.
    case CloseCode.relayRestarting:
    case CloseCode.accessChanged:
      return { retry: 'soon' };
    case CloseCode.policyViolation: // "fix the client; do not loop": retry only at the slowest pace
      return { retry: 'capped' };
    default:
      return { retry: 'backoff' };
  }
}

function closeDetail(code: number): ConnectionDetail {
  switch (code) {
    case CloseCode.unauthorized:
      return detail('token_refused', { closeCode: code });
    case CloseCode.unsupportedVersion:
      return detail('version_unsupported', { closeCode: code });
    case CloseCode.superseded:
      return detail('superseded', { closeCode: code });
    case CloseCode.relayRestarting:
      return detail('relay_restarting', { closeCode: code });
    case CloseCode.accessChanged:
      return detail('access_changed', { closeCode: code });
    case CloseCode.abnormal:
      return detail('connection_lost', { closeCode: code });
    default:
      return detail('relay_closed', { closeCode: code });
  }
}
