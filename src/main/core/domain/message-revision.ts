// Which version of a message the cache keeps when two copies meet: edits and deletions never step back.
import type { Message } from '../../../shared/domain';

function revisionOf(message: Pick<Message, 'content' | 'edited'>): number {
  // A deletion is final; an edit is as new as its time; the original is the oldest version of all.
  if (message.content.type === 'deleted') return Number.POSITIVE_INFINITY;
  return message.edited?.at ?? Number.NEGATIVE_INFINITY;
}

/**
 * The content and edit history to store when `incoming` arrives for a message stored as `stored`. Webhooks arrive out
 * of order, so a late copy of the original (or of an earlier edit) must not bring back text the customer replaced or
 * deleted; everything else (status, conversation) is the caller's to merge.
 */
export function newestRevision(
  stored: Pick<Message, 'content' | 'edited'>,
  incoming: Pick<Message, 'content' | 'edited'>,
): Pick<Message, 'content' | 'edited'> {
  return revisionOf(incoming) >= revisionOf(stored) ? incoming : stored;
}
