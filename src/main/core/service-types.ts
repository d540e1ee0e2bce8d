// Types the console service shares with its adapters, and how a link snapshot reads in the status bar.
import type { Clock } from '../../shared/clock';
import type { ConnectionState } from '../../shared/contract';
import type { ErrorCode, Result } from '../../shared/errors';
import type { HelloFrame, SequencedEvent } from '../../shared/protocol';
import type { ConnectionSnapshot } from './relay-connection-types';

/** The relay connection's state as the service sees it (RelayConnection reports it). */
export type LinkSnapshot = ConnectionSnapshot;

export interface ConnectionHandle {
  start(): void;
  stop(): Promise<void>;
  retryNow(): void;
  snapshot(): LinkSnapshot;
  request(method: string, params: unknown, options?: { deadlineMs?: number }): Promise<Result<unknown>>;
}

export type ConnectionFactory = (options: {
  relayUrl: string;
  token: string;
  deviceId: string;
  cursor: () => number | null;
  onEvents: (events: SequencedEvent[]) => Promise<void>;
  onResync: (hello: HelloFrame) => Promise<void>;
  onStateChange: (snapshot: LinkSnapshot) => void;
}) => ConnectionHandle;

/** A refusal the UI shows in words. */
export class ServiceError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

/** What the status bar says: Live, Reconnecting (in N s), Polling fallback, Offline, or Credentials needed. */
export function connectionStateOf(snapshot: LinkSnapshot | null, hasSession: boolean, networkOnline: boolean, queued: number, clock: Clock): ConnectionState {
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
      return { ...base, status: 'offline', detail: 'This version of Branchline is too old for the relay: ask IT for an update.' };
    case 'superseded':
      return { ...base, status: 'offline', detail: 'This desktop connected again from another window; this one stopped.' };
    case 'stopped':
      return { ...base, status: 'offline' };
  }
}
