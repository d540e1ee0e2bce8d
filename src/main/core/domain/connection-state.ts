// What the status bar is told about the link: Live, Polling, Reconnecting (with when), Offline, or Credentials needed.
import type { Clock } from '../../../shared/clock';
import type { ConnectionDetail, ConnectionState } from '../../../shared/contract';
import { detail } from './link-failure';

/** The connection's own state, as RelayConnection reports it. */
export interface LinkState {
  status: 'connecting' | 'live' | 'backing_off' | 'polling' | 'credentials_needed' | 'unsupported_version' | 'superseded' | 'stopped';
  transport: 'ws' | 'poll' | null;
  /** Monotonic-clock ms when the next attempt is due (backing_off), else null. */
  nextAttemptAtMono: number | null;
  detail: ConnectionDetail | null;
  tlsProblem: boolean;
}

export function connectionStateOf(
  snapshot: LinkState | null,
  hasSession: boolean,
  networkOnline: boolean,
  queued: number,
  clock: Pick<Clock, 'wallNow' | 'monotonicNow'>,
): ConnectionState {
  const base = { queued, detail: snapshot?.detail ?? null, tlsProblem: snapshot?.tlsProblem ?? false, nextAttemptAt: null };
  if (!hasSession) return { ...base, status: 'signed_out' };
  if (snapshot === null) return { ...base, status: 'connecting' };
  switch (snapshot.status) {
    case 'live':
      return { ...base, status: snapshot.transport === 'poll' ? 'polling' : 'live' };
    case 'polling':
      return { ...base, status: 'polling' };
    case 'connecting':
      return { ...base, status: networkOnline ? 'connecting' : 'offline' };
    case 'backing_off': {
      const nextAttemptAt = snapshot.nextAttemptAtMono === null ? null : Math.round(clock.wallNow() + (snapshot.nextAttemptAtMono - clock.monotonicNow()));
      return { ...base, status: networkOnline ? 'reconnecting' : 'offline', nextAttemptAt };
    }
    case 'credentials_needed':
      return { ...base, status: 'credentials_needed' };
    case 'unsupported_version':
      return { ...base, status: 'offline', detail: detail('version_unsupported') };
    case 'superseded':
      return { ...base, status: 'offline', detail: detail('superseded') };
    case 'stopped':
      return { ...base, status: 'offline' };
  }
}
