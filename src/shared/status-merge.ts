// The one rule for combining message statuses that arrive in any order: the furthest state wins.
import type { MessageStatus } from './domain';

/**
 * Rank of each status. "failed" outranks "sent" (Meta gave up after accepting it) but not
 * "delivered"/"read": a delivery receipt proves the message arrived, whatever order the
 * webhooks came in (Meta documents that "delivered" may follow "read" or "failed").
 */
const RANK: Readonly<Record<MessageStatus, number>> = {
  queued: 0,
  pending: 1,
  sent: 2,
  failed: 3,
  delivered: 4,
  read: 5,
};

export function statusRank(status: MessageStatus): number {
  return RANK[status];
}

/** Merges an incoming status into the current one. Commutative, associative and idempotent. */
export function mergeStatus(current: MessageStatus, incoming: MessageStatus): MessageStatus {
  return RANK[incoming] > RANK[current] ? incoming : current;
}

/** Whether applying `incoming` would change `current` (so a store can skip writes and events). */
export function statusAdvances(current: MessageStatus, incoming: MessageStatus): boolean {
  return RANK[incoming] > RANK[current];
}
