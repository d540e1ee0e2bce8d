// What the status bar says for each connection state.
import { describe, expect, it } from 'vitest';
import type { ConnectionState } from '../../shared/contract';
import { describeConnection, syncFraction } from './connection-label';

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
    const view = describeConnection(state({ status: 'reconnecting', tlsProblem: true, detail: 'handshake failed' }), NOW);
    expect(view.detail).toMatch(/^TLS problem/);
  });

  it('passes the service’s own explanation through when there is no TLS problem', () => {
    expect(describeConnection(state({ status: 'reconnecting', detail: 'the relay is restarting' }), NOW).detail).toBe('the relay is restarting');
  });

  it('asks to sign in again when the token is refused', () => {
    expect(describeConnection(state({ status: 'credentials_needed' }), NOW).needsSignIn).toBe(true);
  });

  it('has a neutral state before the first answer', () => {
    expect(describeConnection(null, NOW).text).toBe('Starting…');
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
