// The open conversation: its loaded messages, paging back through history, and the Retry / Discard actions.
import type { Message } from '../../shared/domain';
import type { SliceCreator } from '../store/app-state';
import { errorText } from '../ui/error-text';
import { addOlderPage, applyChangedMessages, emptyThread, removeMessages, threadFromPages, type Thread } from './thread-model';

export const MESSAGE_PAGE_SIZE = 50;

export interface ConversationSlice {
  openId: string | null;
  thread: Thread | null;
  /** Retry/Discard errors, by message id. */
  messageErrors: Record<string, string>;
  loadThread(conversationId: string, around?: string): Promise<void>;
  loadOlder(): Promise<void>;
  jumpToLatest(): Promise<void>;
  applyMessages(conversationId: string, messages: readonly Message[]): void;
  applyRemoved(conversationId: string, messageIds: readonly string[]): void;
  retryMessage(messageId: string): Promise<void>;
  discardMessage(messageId: string): Promise<void>;
  clearThread(): void;
}

export const createConversationSlice: SliceCreator<ConversationSlice> = (set, get, { api }) => {
  let loads = 0;
  // Events that arrive while a page is in flight: applied on top of it, so a page read before a
  // status change cannot leave the bubble behind.
  let buffered: { loadId: number; messages: Message[] } = { loadId: 0, messages: [] };

  const updateThread = (loadId: number, update: (thread: Thread) => Thread) => {
    const thread = get().thread;
    if (thread !== null && thread.loadId === loadId) set({ thread: update(thread) });
  };

  const messageAction = async (messageId: string, run: () => Promise<unknown>) => {
    const { [messageId]: _previous, ...rest } = get().messageErrors;
    set({ messageErrors: rest });
    try {
      await run();
    } catch (error) {
      set({ messageErrors: { ...get().messageErrors, [messageId]: errorText(error) } });
    }
  };

  return {
    openId: null,
    thread: null,
    messageErrors: {},

    async loadThread(conversationId, around) {
      const loadId = ++loads;
      const base = { ...emptyThread(conversationId, loadId), focusId: around ?? null };
      buffered = { loadId, messages: [] };
      set({ openId: conversationId, thread: base });
      const settle = (t: Thread) => (buffered.loadId === loadId && buffered.messages.length > 0 ? applyChangedMessages(t, buffered.messages) : t);
      try {
        if (around === undefined) {
          const latest = await api['messages.page']({ conversationId, limit: MESSAGE_PAGE_SIZE });
          updateThread(loadId, (t) => settle(threadFromPages(t, [latest], false)));
          return;
        }
        const [at, latest] = await Promise.all([
          api['messages.page']({ conversationId, around, limit: MESSAGE_PAGE_SIZE }),
          api['messages.page']({ conversationId, limit: MESSAGE_PAGE_SIZE }),
        ]);
        // Contiguous when the latest page reaches the newest message of the page around the hit.
        const newestAround = at.messages[0];
        const contiguous = newestAround === undefined || latest.messages.some((m) => m.id === newestAround.id);
        updateThread(loadId, (t) => settle(threadFromPages(t, contiguous ? [at, latest] : [at], !contiguous)));
      } catch (error) {
        updateThread(loadId, (t) => ({ ...t, status: 'error', error: errorText(error) }));
      }
    },

    async loadOlder() {
      const thread = get().thread;
      if (thread === null || thread.status !== 'ready' || !thread.hasOlder || thread.loadingOlder || thread.olderCursor === null) return;
      const { loadId, conversationId, olderCursor } = thread;
      set({ thread: { ...thread, loadingOlder: true } });
      try {
        const page = await api['messages.page']({ conversationId, before: olderCursor, limit: MESSAGE_PAGE_SIZE });
        updateThread(loadId, (t) => addOlderPage(t, page));
      } catch (error) {
        updateThread(loadId, (t) => ({ ...t, loadingOlder: false, error: errorText(error) }));
      }
    },

    async jumpToLatest() {
      const id = get().openId;
      if (id !== null) await get().loadThread(id);
    },

    applyMessages(conversationId, messages) {
      const thread = get().thread;
      if (thread === null || thread.conversationId !== conversationId) return;
      if (thread.status === 'loading') {
        if (buffered.loadId === thread.loadId) buffered.messages.push(...messages);
        return;
      }
      const next = applyChangedMessages(thread, messages);
      if (next !== thread) set({ thread: next });
    },

    applyRemoved(conversationId, messageIds) {
      const thread = get().thread;
      if (thread === null || thread.conversationId !== conversationId) return;
      const next = removeMessages(thread, messageIds);
      if (next !== thread) set({ thread: next });
    },

    retryMessage: (messageId) => messageAction(messageId, () => api['messages.retry']({ messageId })),
    discardMessage: (messageId) => messageAction(messageId, () => api['messages.discard']({ messageId })),

    clearThread() {
      loads++;
      set({ openId: null, thread: null, messageErrors: {} });
    },
  };
};
