// The conversation list: summaries by id, the filtered order (loaded page by page), kept current by events.
import type { ConversationFilter, ConversationSummary } from '../../shared/contract';
import type { SliceCreator } from '../store/app-state';
import { errorText } from '../ui/error-text';
import { placeInList } from './list-order';

/** Conversations fetched per page: enough to fill a tall screen many times over. */
export const LIST_PAGE_SIZE = 200;

export interface ListState {
  ids: string[];
  total: number;
  status: 'idle' | 'loading' | 'ready' | 'error';
  loadingMore: boolean;
  error: string | null;
}

export interface ConversationsSlice {
  summaries: Record<string, ConversationSummary>;
  filter: ConversationFilter;
  list: ListState;
  setFilter(filter: ConversationFilter): void;
  loadConversations(): Promise<void>;
  loadMoreConversations(): Promise<void>;
  applySummaries(items: readonly ConversationSummary[]): void;
  fetchSummary(conversationId: string): Promise<void>;
  /** Conversations gone from the console (merged into another, say): out of the list at once, no reload. */
  dropConversations(conversationIds: readonly string[]): void;
  resetConversations(): void;
}

const EMPTY_LIST: ListState = { ids: [], total: 0, status: 'idle', loadingMore: false, error: null };

export const createConversationsSlice: SliceCreator<ConversationsSlice> = (set, get, { api }) => {
  // A newer load (another filter) makes older answers irrelevant.
  let generation = 0;

  const merge = (items: readonly ConversationSummary[]) => {
    const summaries = { ...get().summaries };
    for (const item of items) summaries[item.conversation.id] = item;
    return summaries;
  };

  return {
    summaries: {},
    filter: 'all',
    list: EMPTY_LIST,

    setFilter(filter) {
      if (filter === get().filter) return;
      set({ filter });
      void get().loadConversations();
    },

    async loadConversations() {
      const mine = ++generation;
      set({ list: { ...get().list, status: 'loading', error: null, loadingMore: false } });
      try {
        const page = await api['conversations.list']({ filter: get().filter, limit: LIST_PAGE_SIZE, offset: 0 });
        if (mine !== generation) return;
        set({
          summaries: merge(page.items),
          list: { ids: page.items.map((s) => s.conversation.id), total: page.total, status: 'ready', loadingMore: false, error: null },
        });
      } catch (error) {
        if (mine === generation) set({ list: { ...get().list, status: 'error', error: errorText(error) } });
      }
    },

    async loadMoreConversations() {
      const { list, filter } = get();
      if (list.status !== 'ready' || list.loadingMore || list.ids.length >= list.total) return;
      const mine = generation;
      set({ list: { ...list, loadingMore: true } });
      try {
        const page = await api['conversations.list']({ filter, limit: LIST_PAGE_SIZE, offset: list.ids.length });
        if (mine !== generation) return;
        const current = get().list;
        const known = new Set(current.ids);
        const added = page.items.map((s) => s.conversation.id).filter((id) => !known.has(id));
        set({ summaries: merge(page.items), list: { ...current, ids: [...current.ids, ...added], total: page.total, loadingMore: false } });
      } catch (error) {
        if (mine === generation) set({ list: { ...get().list, loadingMore: false, error: errorText(error) } });
      }
    },

    applySummaries(items) {
      const state = get();
      const summaries = merge(items);
      let { ids, total } = state.list;
      if (state.list.status === 'ready') {
        const options = { filter: state.filter, me: state.session?.agent?.id ?? null, keepId: state.openId, complete: ids.length >= total };
        for (const item of items) {
          const placed = placeInList(ids, summaries, item, options);
          ids = placed.ids;
          total = Math.max(ids.length, total + placed.totalDelta);
        }
      }
      set({ summaries, list: { ...state.list, ids, total } });
    },

    async fetchSummary(conversationId) {
      try {
        const summary = await api['conversations.get']({ conversationId });
        set({ summaries: merge([summary]) });
      } catch {
        // The header shows the number until the summary arrives with the next change event.
      }
    },

    dropConversations(conversationIds) {
      const gone = new Set(conversationIds);
      const state = get();
      const summaries = { ...state.summaries };
      for (const id of gone) delete summaries[id];
      const ids = state.list.ids.filter((id) => !gone.has(id));
      set({ summaries, list: { ...state.list, ids, total: Math.max(ids.length, state.list.total - (state.list.ids.length - ids.length)) } });
    },

    resetConversations() {
      generation++;
      set({ summaries: {}, list: EMPTY_LIST });
    },
  };
};
