// What the status bar says for each connection state.
import { describe, expect, it } from 'vitest';
import { CONNECTION_DETAIL_CODES, type ConnectionDetail, type ConnectionState } from '../../shared/contract';
import { strings } from '../ui/strings';
import { describeConnection, detailText, syncFraction, technicalHint } from './connection-label';

const NOW = 1_000_000;
const state = (patch: Partial<ConnectionState>): ConnectionState => ({
  status: 'live',
  nextAttemptAt: null,
  queued: 0,
  detail: null,
  tlsProblem: false,
  ...patch,
});

describe('describeConnection', () => {
  it.each([
    [state({ status: 'live' }), 'ok', 'Live'],
    [state({ status: 'live', queued: 1 }), 'ok', 'Live · 1 queued'],
    [state({ status: 'polling' }), 'warn', 'Polling fallback'],
    [state({ status: 'connecting' }), 'busy', 'Connecting…'],
    [state({ status: 'reconnecting', nextAttemptAt: NOW + 4_200 }), 'warn', 'Reconnecting'],
    [state({ status: 'reconnecting', nextAttemptAt: NOW - 10 }), 'warn', 'Reconnecting'],
    [state({ status: 'reconnecting', nextAttemptAt: null, queued: 3 }), 'warn', 'Reconnecting · 3 queued'],
    [state({ status: 'offline', queued: 3 }), 'error', 'Offline · 3 queued'],
    [state({ status: 'credentials_needed' }), 'error', 'Credentials needed'],
    [state({ status: 'signed_out' }), 'busy', 'Signed out'],
  ] as const)('%j reads as %s "%s"', (input, tone, text) => {
    const view = describeConnection(input, NOW);
    expect(view.tone).toBe(tone);
    expect(view.text).toBe(text);
    expect(view.icon).not.toBe('');
  });

  it.each([
    [NOW + 4_200, '(next attempt in 5 s)'],
    [NOW - 10, '(trying now)'],
    [null, '(trying now)'],
  ])('counts down to the next attempt (%s) outside the announced text: %s', (nextAttemptAt, countdown) => {
    const view = describeConnection(state({ status: 'reconnecting', nextAttemptAt }), NOW);
    expect(view.countdown).toBe(countdown);
    expect(view.text).not.toContain('next attempt');
  });

  it('has no countdown in any other state', () => {
    for (const status of ['live', 'polling', 'connecting', 'offline', 'credentials_needed', 'signed_out'] as const) {
      expect(describeConnection(state({ status }), NOW).countdown).toBeNull();
    }
  });

  it('offers "Retry now" only when waiting on a backoff or offline', () => {
    const offered = (['live', 'polling', 'connecting', 'reconnecting', 'offline', 'credentials_needed', 'signed_out'] as const).filter(
      (status) => describeConnection(state({ status }), NOW).canRetryNow,
    );
    expect(offered).toEqual(['reconnecting', 'offline']);
  });

  it('says so when TLS is the problem, instead of the generic detail', () => {
    const view = describeConnection(
      state({ status: 'reconnecting', tlsProblem: true, detail: { code: 'connection_lost', params: { error: 'ECONNRESET' } } }),
      NOW,
    );
    expect(view.detail).toMatch(/^TLS problem/);
  });

  it.each(['tls_untrusted', 'tls_expired', 'tls_wrong_host', 'tls_handshake'] as const)('names the TLS problem %s, still as a TLS problem for IT', (code) => {
    const view = describeConnection(state({ status: 'reconnecting', tlsProblem: true, detail: { code, params: { error: 'CERT_HAS_EXPIRED' } } }), NOW);
    expect(view.detail).toMatch(/^TLS problem: .*IT/);
    expect(view.detail).not.toContain('CERT_HAS_EXPIRED');
    expect(view.technical).toBe('For IT: CERT_HAS_EXPIRED');
  });

  it('names a pin mismatch as a TLS problem, with the pins IT expected shown apart for IT', () => {
    const expected = 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=';
    const view = describeConnection(
      state({ status: 'reconnecting', tlsProblem: true, detail: { code: 'tls_pin_mismatch', params: { error: 'ERR_TLS_PIN_MISMATCH', expected } } }),
      NOW,
    );
    expect(view.detail).toMatch(/^TLS problem: .*pinned.*nothing was sent/);
    expect(view.technical).toBe(`For IT: ERR_TLS_PIN_MISMATCH, expected pin-sha256 ${expected}`);
  });

  it('tells the agent a plain relay address is refused, naming the host for IT', () => {
    const view = describeConnection(state({ status: 'offline', detail: { code: 'insecure_relay', params: { host: 'relay.bank.example' } } }), NOW);
    expect(view.detail).toMatch(/not encrypted.*does not send your token/);
    expect(view.technical).toBe('For IT: relay relay.bank.example');
  });

  it('shows a TLS problem even while connecting, and nothing else there', () => {
    expect(describeConnection(state({ status: 'connecting', tlsProblem: true, detail: { code: 'tls_untrusted', params: {} } }), NOW).detail).toMatch(
      /^TLS problem/,
    );
    const plain = describeConnection(state({ status: 'connecting', detail: { code: 'unreachable', params: { error: 'ECONNREFUSED' } } }), NOW);
    expect([plain.detail, plain.technical]).toEqual([null, null]);
  });

  it('puts the service’s reason into the catalogue’s words when there is no TLS problem', () => {
    const view = describeConnection(state({ status: 'reconnecting', detail: { code: 'relay_restarting', params: {} } }), NOW);
    expect(view.detail).toBe('The relay is restarting; Branchline connects again in a moment.');
    expect(view.technical).toBeNull();
  });

  it('keeps the technical error out of the sentence and offers it apart, for IT', () => {
    const view = describeConnection(state({ status: 'offline', detail: { code: 'unreachable', params: { error: 'ECONNREFUSED' } } }), NOW);
    expect(view.detail).toBe(strings.status.details.unreachable);
    expect(view.detail).not.toContain('ECONNREFUSED');
    expect(view.technical).toBe('For IT: ECONNREFUSED');
  });

  it('says why the relay stopped this desktop, rather than the generic offline sentence', () => {
    expect(describeConnection(state({ status: 'offline', detail: { code: 'superseded', params: {} } }), NOW).detail).toMatch(/another window/);
    expect(describeConnection(state({ status: 'offline', detail: { code: 'version_unsupported', params: {} } }), NOW).detail).toMatch(/ask IT for an update/);
  });

  it('falls back to the plain words for a code this renderer does not know (a newer core)', () => {
    const unknown = { code: 'quantum_flux', params: { error: 'EQUANTUM' } } as unknown as ConnectionDetail;
    const offline = describeConnection(state({ status: 'offline', detail: unknown }), NOW);
    expect([offline.detail, offline.technical]).toEqual([strings.status.offlineDetail, null]);
    expect(describeConnection(state({ status: 'reconnecting', detail: unknown }), NOW).detail).toBeNull();
  });

  it('asks to sign in again when the token is refused', () => {
    expect(describeConnection(state({ status: 'credentials_needed' }), NOW).needsSignIn).toBe(true);
  });

  it('has a neutral state before the first answer', () => {
    expect(describeConnection(null, NOW).text).toBe('Starting…');
  });
});

describe('detail codes in words', () => {
  const technical = { error: 'ECONNREFUSED', httpStatus: 502, closeCode: 4409 };

  it.each(CONNECTION_DETAIL_CODES)('%s has a calm sentence of its own, without the technical codes', (code) => {
    const sentence = detailText({ code, params: { ...technical, seconds: 10 } });
    expect(sentence).toMatch(/^[A-Z].{20,}\.$/);
    for (const raw of ['ECONNREFUSED', '502', '4409']) expect(sentence).not.toContain(raw);
  });

  it('gives every code different words, so IT can tell the causes apart from a screenshot', () => {
    const sentences = CONNECTION_DETAIL_CODES.map((code) => detailText({ code, params: {} }));
    expect(new Set(sentences).size).toBe(CONNECTION_DETAIL_CODES.length);
  });

  it('says how long the relay was silent when the service says so, and still makes sense when it does not', () => {
    expect(detailText({ code: 'connect_timeout', params: { seconds: 10 } })).toContain('within 10 s');
    expect(detailText({ code: 'dead_link', params: { seconds: 45.2 } })).toContain('for 45 s');
    expect(detailText({ code: 'connect_timeout', params: { seconds: 'ten' } })).toBe('The relay did not answer in time; Branchline keeps trying.');
  });

  it('collects the technical parts for IT: HTTP status, close code, error code', () => {
    expect(technicalHint({ code: 'http_error', params: { httpStatus: 502, error: 'unavailable' } })).toBe('For IT: HTTP 502, unavailable');
    expect(technicalHint({ code: 'relay_closed', params: { closeCode: 4000 } })).toBe('For IT: close code 4000');
    expect(technicalHint({ code: 'dead_link', params: { seconds: 45 } })).toBeNull();
  });
});

describe('syncFraction', () => {
  it('is null when idle and a fraction while syncing', () => {
    expect(syncFraction(null)).toBeNull();
    expect(syncFraction({ phase: 'idle', done: 3, total: 3 })).toBeNull();
    expect(syncFraction({ phase: 'syncing', done: 0, total: 0 })).toBe(0);
    expect(syncFraction({ phase: 'syncing', done: 1, total: 4 })).toBe(0.25);
    expect(syncFraction({ phase: 'syncing', done: 9, total: 4 })).toBe(1);
  });
});
