// Full-text search over names, numbers and messages (conversations.search), run shortly after typing stops.
import type { SearchHit } from '../../shared/contract';
import type { SliceCreator } from '../store/app-state';
import { errorText } from '../ui/error-text';

export const SEARCH_DELAY_MS = 250;
export const SEARCH_LIMIT = 50;

export interface SearchState {
  query: string;
  hits: SearchHit[];
  status: 'idle' | 'searching' | 'ready' | 'error';
  error: string | null;
}

export interface SearchSlice {
  search: SearchState;
  setSearchQuery(query: string): void;
  clearSearch(): void;
  /** Conversations gone from this console: their hits go too, at once. */
  dropSearchHits(conversationIds: readonly string[]): void;
}

const IDLE: SearchState = { query: '', hits: [], status: 'idle', error: null };

export const createSearchSlice: SliceCreator<SearchSlice> = (set, get, { api, clock }) => {
  let cancelTimer: (() => void) | null = null;
  let sequence = 0;

  const run = async (query: string) => {
    const mine = ++sequence;
    try {
      const { hits } = await api['conversations.search']({ query, limit: SEARCH_LIMIT });
      if (mine === sequence) set({ search: { query: get().search.query, hits, status: 'ready', error: null } });
    } catch (error) {
      if (mine === sequence) set({ search: { ...get().search, status: 'error', error: errorText(error) } });
    }
  };

  return {
    search: IDLE,

    setSearchQuery(query) {
      cancelTimer?.();
      cancelTimer = null;
      const trimmed = query.trim();
      if (trimmed === '') {
        sequence++;
        set({ search: { ...IDLE, query } });
        return;
      }
      set({ search: { ...get().search, query, status: 'searching', error: null } });
      cancelTimer = clock.setTimer(SEARCH_DELAY_MS, () => {
        cancelTimer = null;
        void run(trimmed.slice(0, 200));
      });
    },

    dropSearchHits(conversationIds) {
      const gone = new Set(conversationIds);
      const hits = get().search.hits.filter((hit) => !gone.has(hit.conversationId));
      if (hits.length !== get().search.hits.length) set({ search: { ...get().search, hits } });
    },

    clearSearch() {
      cancelTimer?.();
      cancelTimer = null;
      sequence++;
      set({ search: IDLE });
    },
  };
};
