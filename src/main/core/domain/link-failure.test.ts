// What a failed link means, as a table: socket errors, close codes and HTTP answers → the next step and the detail code.
import { describe, expect, it } from 'vitest';
import { interpretEnd, networkFailure } from './link-failure';
import { planRetry } from './retry-plan';

describe('socket failures', () => {
  it.each([
    ['SELF_SIGNED_CERT_IN_CHAIN', 'tls_untrusted', true],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls_untrusted', true],
    ['CERT_HAS_EXPIRED', 'tls_expired', true],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls_wrong_host', true],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls_handshake', true],
    ['ECONNREFUSED', 'unreachable', false],
    ['ENOTFOUND', 'dns_failed', false],
    ['ECONNRESET', 'network_error', false],
  ])('names %s as %s, keeping the code for IT', (error, code, tls) => {
    expect(networkFailure(Object.assign(new Error('x'), { code: error }))).toEqual({ detail: { code, params: { error } }, tls });
  });

  it('names a pin mismatch as a TLS problem of its own, with the pins IT expected and the one presented', () => {
    const error = Object.assign(new Error('x'), { code: 'ERR_TLS_PIN_MISMATCH', expected: 'AAAA= BBBB=', presented: 'CCCC=' });
    expect(networkFailure(error)).toEqual({
      detail: { code: 'tls_pin_mismatch', params: { error: 'ERR_TLS_PIN_MISMATCH', expected: 'AAAA= BBBB=', presented: 'CCCC=' } },
      tls: true,
    });
  });

  it('names a proxy refusal as a proxy problem with its HTTP status', () => {
    expect(networkFailure(Object.assign(new Error('the proxy refused the tunnel (HTTP 407)'), { name: 'ProxyError', status: 407 }))).toEqual({
      detail: { code: 'proxy_failed', params: { httpStatus: 407 } },
      tls: false,
    });
  });

  it('says nothing of an error message it does not understand (it could hold anything)', () => {
    expect(networkFailure(new Error('secret token abc at https://relay/?q=1'))).toEqual({ detail: { code: 'network_error', params: {} }, tls: false });
  });
});

describe('how a transport ended', () => {
  const ws = { kind: 'ws' as const, wasLive: false, fallbackOnRefusal: true };
  it.each([
    [{ kind: 'closed' as const, code: 4001, reason: '' }, { retry: 'never', status: 'credentials_needed' }, 'token_refused'],
    [{ kind: 'closed' as const, code: 4002, reason: '' }, { retry: 'never', status: 'unsupported_version' }, 'version_unsupported'],
    [{ kind: 'closed' as const, code: 4009, reason: '' }, { retry: 'never', status: 'superseded' }, 'superseded'],
    [{ kind: 'closed' as const, code: 1012, reason: '' }, { retry: 'soon' }, 'relay_restarting'],
    [{ kind: 'closed' as const, code: 4011, reason: '' }, { retry: 'soon' }, 'access_changed'],
    [{ kind: 'closed' as const, code: 1008, reason: 'bad client' }, { retry: 'capped' }, 'relay_closed'],
    [{ kind: 'http' as const, status: 403, errorCode: null }, { retry: 'now' }, 'polling_fallback'],
  ])('%j → %j (%s)', (end, next, code) => {
    expect(interpretEnd(end, ws)).toMatchObject({ next, detail: { code } });
  });

  it('tells a refused upgrade from a fallback, and a lost poll session from an HTTP error', () => {
    expect(interpretEnd({ kind: 'http', status: 403, errorCode: null }, { ...ws, fallbackOnRefusal: false }).detail).toEqual({
      code: 'upgrade_refused',
      params: { httpStatus: 403 },
    });
    const poll = { kind: 'poll' as const, wasLive: true, fallbackOnRefusal: true };
    expect(interpretEnd({ kind: 'http', status: 404, errorCode: null }, poll)).toMatchObject({
      next: { retry: 'soon' },
      detail: { code: 'poll_session_lost' },
    });
    expect(interpretEnd({ kind: 'http', status: 401, errorCode: 'unauthorized' }, poll)).toMatchObject({
      next: { retry: 'never' },
      detail: { code: 'token_refused' },
    });
    expect(interpretEnd({ kind: 'http', status: 502, errorCode: null }, poll).detail).toEqual({ code: 'http_error', params: { httpStatus: 502 } });
  });

  it('calls a broken open link "connection lost", keeping a TLS problem as what it is', () => {
    const live = { kind: 'ws' as const, wasLive: true, fallbackOnRefusal: true };
    expect(interpretEnd({ kind: 'network', error: Object.assign(new Error('x'), { code: 'ECONNRESET' }) }, live).detail).toEqual({
      code: 'connection_lost',
      params: { error: 'ECONNRESET' },
    });
    expect(interpretEnd({ kind: 'network', error: Object.assign(new Error('x'), { code: 'CERT_HAS_EXPIRED' }) }, live)).toMatchObject({
      tls: true,
      detail: { code: 'tls_expired' },
    });
  });
});

describe('a throttled relay (protocol.md: treat an upgrade’s 429 as 4008, wait at least Retry-After)', () => {
  const NOW = Date.UTC(2026, 11, 1, 4, 0, 0);
  const ws = { kind: 'ws' as const, wasLive: false, fallbackOnRefusal: true };
  const poll = { kind: 'poll' as const, wasLive: true, fallbackOnRefusal: true };

  it('a 429 on the upgrade is a wait of Retry-After on the WebSocket, not "WebSocket blocked" nor a refused token', () => {
    expect(interpretEnd({ kind: 'http', status: 429, errorCode: null, retryAfter: '7' }, ws, NOW)).toEqual({
      next: { retry: 'after', atLeastMs: 7_000 },
      detail: { code: 'rate_limited', params: { httpStatus: 429, seconds: 7 } },
      tls: false,
    });
  });

  it('a 429 on a poll waits too, also when Retry-After is an HTTP date or missing', () => {
    const inAMinute = new Date(NOW + 60_000).toUTCString();
    expect(interpretEnd({ kind: 'http', status: 429, errorCode: 'rate_limited', retryAfter: inAMinute }, poll, NOW).next).toEqual({
      retry: 'after',
      atLeastMs: 60_000,
    });
    expect(interpretEnd({ kind: 'http', status: 429, errorCode: null }, poll, NOW).next).toMatchObject({ retry: 'after' });
  });

  it('4008 with the relay’s "retry after N s" waits N seconds; a bare 4008 still waits', () => {
    const end = { kind: 'closed' as const, code: 4008, reason: 'too many refused sign-ins; retry after 42 s' };
    expect(interpretEnd(end, ws, NOW)).toMatchObject({ next: { retry: 'after', atLeastMs: 42_000 }, detail: { code: 'rate_limited' } });
    expect(interpretEnd({ ...end, reason: 'flood' }, ws, NOW).next).toMatchObject({ retry: 'after' });
  });

  it('plans the wait as the larger of Retry-After and the backoff, also for a WebSocket trial from polling', () => {
    const policy = { baseMs: 1_000, capMs: 30_000, resetAfterMs: 60_000 };
    const backoff = { attempt: 0, liveSinceMs: null };
    for (const trialFailed of [false, true]) {
      const plan = planRetry({ retry: 'after', atLeastMs: 20_000 }, { backoff, policy, random01: 0.5, trialFailed });
      expect(plan).toMatchObject({ kind: 'wait', delayMs: 20_000, backoff: { attempt: 1 } });
    }
    const deep = planRetry({ retry: 'after', atLeastMs: 0 }, { backoff: { attempt: 10, liveSinceMs: null }, policy, random01: 0.99, trialFailed: false });
    expect(deep.kind === 'wait' ? deep.delayMs : 0).toBeGreaterThanOrEqual(policy.baseMs); // the backoff still grows
  });
});
