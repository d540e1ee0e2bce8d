// The customer panel's actions (take/release, link a case, mark as read): one at a time, with an error in words.
import type { SliceCreator } from '../store/app-state';
import { errorText } from '../ui/error-text';

export type CustomerActionKind = 'assign' | 'case' | 'read';

export interface CustomerAction {
  conversationId: string | null;
  kind: CustomerActionKind | null;
  busy: boolean;
  error: string | null;
}

export interface CustomerSlice {
  customerAction: CustomerAction;
  assign(conversationId: string, mine: boolean): Promise<boolean>;
  linkCase(conversationId: string, caseId: string | null): Promise<boolean>;
  /** Tells the customer their messages were read, up to the newest inbound message loaded. */
  markRead(conversationId: string): Promise<boolean>;
  clearCustomerAction(): void;
}

const IDLE: CustomerAction = { conversationId: null, kind: null, busy: false, error: null };

export const createCustomerSlice: SliceCreator<CustomerSlice> = (set, get, { api }) => {
  const run = async (conversationId: string, kind: CustomerActionKind, call: () => Promise<unknown>): Promise<boolean> => {
    set({ customerAction: { conversationId, kind, busy: true, error: null } });
    try {
      await call();
      set({ customerAction: { conversationId, kind, busy: false, error: null } });
      return true;
    } catch (error) {
      set({ customerAction: { conversationId, kind, busy: false, error: errorText(error) } });
      return false;
    }
  };

  return {
    customerAction: IDLE,

    assign: (conversationId, mine) => run(conversationId, 'assign', () => api['conversations.assignToMe']({ conversationId, mine })),

    linkCase: (conversationId, caseId) => run(conversationId, 'case', () => api['conversations.linkCase']({ conversationId, caseId })),

    markRead(conversationId) {
      const thread = get().thread;
      const newestInbound =
        thread?.conversationId === conversationId ? [...thread.order].reverse().find((id) => thread.byId[id]?.direction === 'in') : undefined;
      if (newestInbound === undefined) return Promise.resolve(false);
      return run(conversationId, 'read', () => api['messages.markRead']({ conversationId, upToMessageId: newestInbound }));
    },

    clearCustomerAction() {
      set({ customerAction: IDLE });
    },
  };
};
