// After a resync (first login, another agent, access that changed, or a cursor the relay no longer keeps): page the
// relay's state into the cache, which it then replaces: what the relay no longer lists leaves this desktop.
import type { Message } from '../../shared/domain';
import type { HelloFrame } from '../../shared/protocol';
import type { ChangeSet, LocalStore } from './local-store';
import type { RelayLink } from './relay-link';

export interface FirstSyncDeps {
  store: LocalStore;
  link: RelayLink;
  /** Recent history fetched per conversation (older pages load on demand… from the relay later). */
  historyPerConversation: number;
  onProgress: (done: number, total: number) => void;
  onChanges: (changes: ChangeSet) => void;
}

export class SyncError extends Error {}

/**
 * Pages every conversation and its recent history, then drops the conversations the relay did not list; sets the
 * cursor to hello.head only when all of it is stored.
 */
export async function firstSync(hello: HelloFrame, deps: FirstSyncDeps): Promise<void> {
  const { link, store } = deps;
  let cursor: string | undefined;
  let done = 0;
  let total = 0;
  const listed = new Set<string>();
  deps.onProgress(0, 0);
  do {
    const page = await link.request('conversations.list', { ...(cursor !== undefined && { cursor }), limit: 200 }, { deadlineMs: 30_000 });
    if (!page.ok) throw new SyncError(`first sync failed listing conversations: ${page.error.code}`);
    const value = page.value;
    total = value.total;
    const messages: Message[] = [];
    for (const conversation of value.conversations) {
      listed.add(conversation.id);
      const history = await link.request('messages.history', { conversationId: conversation.id, limit: deps.historyPerConversation }, { deadlineMs: 30_000 });
      if (!history.ok) throw new SyncError(`first sync failed loading history: ${history.error.code}`);
      messages.push(...history.value.messages);
    }
    deps.onChanges(store.applySnapshot(value.conversations, messages));
    done += value.conversations.length;
    deps.onProgress(done, Math.max(total, done));
    cursor = value.nextCursor ?? undefined;
  } while (cursor !== undefined);
  deps.onChanges(store.replaceConversations(listed));
  // Only now is the cache consistent with the log up to head: a crash before this line syncs again.
  store.session.setCursor(hello.head);
  deps.onProgress(done, done);
}
