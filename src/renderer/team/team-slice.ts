// Who is who for this agent (directory.get: colleagues' names, every team for a transfer) and the calm notices about
// conversations that changed hands: taken over by a colleague, moved to another team, out of this agent's reach.
import type { Directory } from '../../shared/contract';
import type { SliceCreator } from '../store/app-state';
import { errorText } from '../ui/error-text';

export type NoticeKind = 'taken_over' | 'left' | 'transferred';

export interface Notice {
  id: string;
  kind: NoticeKind;
  conversationId: string;
  /** Who the conversation is with, as the list named them. */
  customer: string;
  /** taken_over: the colleague who has it now. */
  by?: string;
  /** transferred: the team that has it now. */
  team?: string;
}

export interface TeamSlice {
  directory: Directory | null;
  /** Why the directory could not be had (offline and never fetched here), in words. */
  directoryError: string | null;
  notices: Notice[];
  /** Fetches the directory (the service answers from its copy while offline); a failure leaves the last one. */
  loadDirectory(): Promise<void>;
  addNotice(notice: Omit<Notice, 'id'>): void;
  dismissNotice(id: string): void;
  /** Drops the notices about a conversation (opened, or gone). */
  dismissNoticesFor(conversationId: string): void;
  resetTeam(): void;
}

/** A few at most: the newest replace the oldest, nothing piles up over a shift. */
const MAX_NOTICES = 5;

export const createTeamSlice: SliceCreator<TeamSlice> = (set, get, { api }) => {
  let next = 0;
  return {
    directory: null,
    directoryError: null,
    notices: [],

    async loadDirectory() {
      try {
        const directory = await api['directory.get']({});
        set({ directory, directoryError: null });
      } catch (error) {
        // Names fall back to those the relay sends with each conversation and message; the transfer picker says why.
        set({ directoryError: errorText(error) });
      }
    },

    addNotice(notice) {
      const others = get().notices.filter((n) => n.conversationId !== notice.conversationId);
      set({ notices: [...others, { ...notice, id: `notice-${++next}` }].slice(-MAX_NOTICES) });
    },

    dismissNotice(id) {
      set({ notices: get().notices.filter((n) => n.id !== id) });
    },

    dismissNoticesFor(conversationId) {
      const notices = get().notices.filter((n) => n.conversationId !== conversationId);
      if (notices.length !== get().notices.length) set({ notices });
    },

    resetTeam() {
      set({ directory: null, directoryError: null, notices: [] });
    },
  };
};
