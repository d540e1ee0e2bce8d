// How a sent message's statuses combine, decided purely: the merge order (a late "delivered" never overwrites "read"),
// which failure is kept, adopting a send whose answer was lost, and statuses that arrived before the send's answer.
import type { MessageStatus, SendFailure } from '../../shared/domain';
import { mergeStatus, statusAdvances } from '../../shared/status-merge';

export interface StatusUpdate {
  readonly status: MessageStatus;
  readonly failure: SendFailure | null;
}

/**
 * What a message's status becomes when `incoming` arrives; null when nothing changes (a repeat, or a status the
 * message is already past). The failure is kept only while the message stands failed.
 */
export function statusChange(current: MessageStatus, incoming: StatusUpdate): StatusUpdate | null {
  if (!statusAdvances(current, incoming.status)) return null;
  const status = mergeStatus(current, incoming.status);
  return { status, failure: status === 'failed' ? incoming.failure : null };
}

/** What the store knows of the message a status's `biz_opaque` (our message id) names. */
export interface PendingSendFacts {
  readonly direction: 'in' | 'out';
  readonly wamid: string | null;
}

/**
 * A status for a wamid we do not know, naming one of our sends that never got Meta's answer (a timeout, a crash): Meta
 * took that send, so the message adopts the wamid and stops being resent. Anything else waits as an orphan status.
 */
export function adoptsLostSend(named: PendingSendFacts | undefined): boolean {
  return named !== undefined && named.direction === 'out' && named.wamid === null;
}

/** The statuses a send takes when Meta answers for it: "sent", then any that raced ahead of the answer (merged in any order, the result is one). */
export function completionStatuses(orphans: readonly StatusUpdate[]): StatusUpdate[] {
  return [{ status: 'sent', failure: null }, ...orphans];
}
