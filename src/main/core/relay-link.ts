// What the outbox, first sync and service need of the relay connection (so each can be tested with a fake).
import type { Result } from '../../shared/errors';

export interface RelayLink {
  request(method: string, params: unknown, options?: { deadlineMs?: number }): Promise<Result<unknown>>;
  isLive(): boolean;
}
