// What the status bar is told for each state of the link: a table.
import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../../../shared/clock';
import { connectionStateOf, type LinkState } from './connection-state';

const clock = createFakeClock(Date.UTC(2026, 10, 30, 9), 1_000);
const link = (state: Partial<LinkState>): LinkState => ({
  status: 'live',
  transport: 'ws',
  nextAttemptAtMono: null,
  detail: null,
  tlsProblem: false,
  ...state,
});

describe('the status bar state', () => {
  it.each<[string, LinkState | null, boolean, boolean, string]>([
    ['signed out', null, false, true, 'signed_out'],
    ['signing in', null, true, true, 'connecting'],
    ['live over WebSocket', link({}), true, true, 'live'],
    ['live over long polling', link({ transport: 'poll' }), true, true, 'polling'],
    ['connecting while the OS says offline', link({ status: 'connecting' }), true, false, 'offline'],
    ['waiting to retry', link({ status: 'backing_off' }), true, true, 'reconnecting'],
    ['waiting to retry, OS offline', link({ status: 'backing_off' }), true, false, 'offline'],
    ['token refused', link({ status: 'credentials_needed' }), true, true, 'credentials_needed'],
    ['stopped', link({ status: 'stopped' }), true, true, 'offline'],
  ])('%s → %s', (_what, snapshot, hasSession, online, status) => {
    expect(connectionStateOf(snapshot, hasSession, online, 0, clock).status).toBe(status);
  });

  it('says when the next attempt is due, in wall time', () => {
    const state = connectionStateOf(link({ status: 'backing_off', nextAttemptAtMono: 1_000 + 4_000 }), true, true, 3, clock);
    expect(state).toMatchObject({ status: 'reconnecting', nextAttemptAt: clock.wallNow() + 4_000, queued: 3 });
  });

  it('names why an old or superseded console stopped, as codes', () => {
    expect(connectionStateOf(link({ status: 'unsupported_version' }), true, true, 0, clock).detail).toEqual({ code: 'version_unsupported', params: {} });
    expect(connectionStateOf(link({ status: 'superseded' }), true, true, 0, clock).detail).toEqual({ code: 'superseded', params: {} });
  });

  it('keeps the failure and the TLS flag for the status bar', () => {
    const detail = { code: 'tls_untrusted' as const, params: { error: 'SELF_SIGNED_CERT_IN_CHAIN' } };
    expect(connectionStateOf(link({ status: 'backing_off', detail, tlsProblem: true }), true, true, 0, clock)).toMatchObject({ detail, tlsProblem: true });
  });
});
