// The customer panel's actions (take, take over, release, transfer, link a case, mark as read): one at a time, with an
// error in words; taking over and transferring wait for the agent's confirmation in a dialog.
import type { SliceCreator } from '../store/app-state';
import { errorText } from '../ui/error-text';

export type CustomerActionKind = 'assign' | 'case' | 'read' | 'transfer';

export interface CustomerAction {
  conversationId: string | null;
  kind: CustomerActionKind | null;
  busy: boolean;
  error: string | null;
}

/** A dialog waiting for the agent's yes: take over from a colleague, or pick the team to transfer to. */
export interface PendingConfirm {
  kind: 'take_over' | 'transfer';
  conversationId: string;
}

export interface CustomerSlice {
  customerAction: CustomerAction;
  confirm: PendingConfirm | null;
  /** Transfers this agent asked for, by conversation: the team's name, to say where a conversation that left went. */
  transfers: Record<string, string>;
  /** Take (mine) or release; `takeOver` only after the agent confirmed taking it from a colleague. */
  assign(conversationId: string, mine: boolean, takeOver?: boolean): Promise<boolean>;
  transfer(conversationId: string, team: { id: string; name: string }): Promise<boolean>;
  askConfirm(kind: PendingConfirm['kind'], conversationId: string): void;
  cancelConfirm(): void;
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
    confirm: null,
    transfers: {},

    async assign(conversationId, mine, takeOver = false) {
      set({ confirm: null });
      return run(conversationId, 'assign', () => api['conversations.assignToMe']({ conversationId, mine, ...(mine && takeOver && { takeOver: true }) }));
    },

    async transfer(conversationId, team) {
      set({ confirm: null });
      // Known before the answer: the relay may tell this console the conversation left before it answers the call.
      set({ transfers: { ...get().transfers, [conversationId]: team.name } });
      const done = await run(conversationId, 'transfer', () => api['conversations.transfer']({ conversationId, teamId: team.id }));
      if (!done) {
        const { [conversationId]: _gone, ...rest } = get().transfers;
        set({ transfers: rest });
      }
      return done;
    },

    askConfirm(kind, conversationId) {
      set({ confirm: { kind, conversationId } });
    },

    cancelConfirm() {
      set({ confirm: null });
    },

    linkCase: (conversationId, caseId) => run(conversationId, 'case', () => api['conversations.linkCase']({ conversationId, caseId })),

    markRead(conversationId) {
      const thread = get().thread;
      const newestInbound =
        thread?.conversationId === conversationId ? [...thread.order].reverse().find((id) => thread.byId[id]?.direction === 'in') : undefined;
      if (newestInbound === undefined) return Promise.resolve(false);
      return run(conversationId, 'read', () => api['messages.markRead']({ conversationId, upToMessageId: newestInbound }));
    },

    clearCustomerAction() {
      set({ customerAction: IDLE, confirm: null });
    },
  };
};
