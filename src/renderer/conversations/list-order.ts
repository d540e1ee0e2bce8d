// Where a conversation belongs in the filtered list, mirroring the service's ORDER BY and filters.
import type { ConversationFilter, ConversationSummary } from '../../shared/contract';

/** Newest activity first, as `ORDER BY last_message_at DESC, id DESC` (a conversation without messages sorts last). */
export function compareSummaries(a: ConversationSummary, b: ConversationSummary): number {
  const at = a.conversation.lastMessageAt ?? -Infinity;
  const bt = b.conversation.lastMessageAt ?? -Infinity;
  if (at !== bt) return bt > at ? 1 : -1;
  const aid = a.conversation.id;
  const bid = b.conversation.id;
  return aid === bid ? 0 : aid < bid ? 1 : -1;
}

export function matchesFilter(summary: ConversationSummary, filter: ConversationFilter, me: string | null): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'mine':
      return me !== null && summary.conversation.assignedAgentId === me;
    case 'unassigned':
      return summary.conversation.assignedAgentId === null;
    case 'unread':
      return summary.unread > 0;
  }
}

export interface Placement {
  ids: string[];
  /** +1 when the conversation joined the filtered set, -1 when it left, 0 otherwise. */
  totalDelta: number;
}

/**
 * Moves or inserts one updated conversation in the loaded part of the list. `keepId` stays even when it
 * no longer matches (the open conversation does not vanish under the agent's cursor); `complete` says
 * whether every page is loaded (if not, a conversation that sorts past the end waits for its page).
 */
export function placeInList(
  ids: readonly string[],
  summaries: Readonly<Record<string, ConversationSummary>>,
  updated: ConversationSummary,
  options: { filter: ConversationFilter; me: string | null; keepId: string | null; complete: boolean },
): Placement {
  const id = updated.conversation.id;
  const wasListed = ids.includes(id);
  const rest = wasListed ? ids.filter((x) => x !== id) : [...ids];
  const matches = matchesFilter(updated, options.filter, options.me);
  if (!matches && id !== options.keepId) return { ids: rest, totalDelta: wasListed ? -1 : 0 };
  let low = 0;
  let high = rest.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const other = summaries[rest[mid]!];
    if (other !== undefined && compareSummaries(other, updated) < 0) low = mid + 1;
    else high = mid;
  }
  if (low === rest.length && !options.complete && !wasListed) return { ids: rest, totalDelta: matches ? 1 : 0 };
  rest.splice(low, 0, id);
  return { ids: rest, totalDelta: wasListed ? 0 : matches ? 1 : 0 };
}
