// Types the console's services share with the connection and the adapters: the connection seam and the refusal error.
import type { ErrorCode, Result } from '../../shared/errors';
import type { ConnectionSnapshot, RelayConnectionOptions } from './relay-connection-types';

/** The relay connection's state as the services see it (RelayConnection reports it). */
export type LinkSnapshot = ConnectionSnapshot;

export interface ConnectionHandle {
  start(): void;
  stop(): Promise<void>;
  retryNow(): void;
  /** A refreshed access token for the next attempt (RelayConnection; a scripted link may leave it out). */
  setToken?(token: string): void;
  snapshot(): LinkSnapshot;
  request(method: string, params: unknown, options?: { deadlineMs?: number }): Promise<Result<unknown>>;
}

/** What a signed-in session gives its connection; the rest of RelayConnectionOptions is the host's (network, tuning). */
export type SessionLinkOptions = Pick<RelayConnectionOptions, 'relayUrl' | 'token' | 'deviceId' | 'cursor' | 'onEvents' | 'onResync' | 'onStateChange'>;

export type ConnectionFactory = (options: SessionLinkOptions) => ConnectionHandle;

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
