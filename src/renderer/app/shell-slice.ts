// The shell's orchestration: start-up, reacting to sign-in and sign-out, and opening a conversation.
// Feature slices stay independent; the steps that touch several of them live here (declared in store/shell-slice.ts).
import type { SliceCreator } from '../store/app-state';
import type { ShellSlice } from '../store/shell-slice';
import { errorText } from '../ui/error-text';

export const createShellSlice: SliceCreator<ShellSlice> = (set, get, { api }) => ({
  boot: 'starting',
  bootError: null,

  async start() {
    set({ boot: 'starting', bootError: null });
    try {
      const [session, connection, sync] = await Promise.all([api['session.get']({}), api['connection.get']({}), api['sync.get']({})]);
      get().applyConnection(connection);
      get().applySync(sync);
      set({ boot: 'ready' });
      get().sessionChanged(session);
      void get().loadSettings();
    } catch (error) {
      set({ boot: 'unavailable', bootError: errorText(error) });
    }
  },

  sessionChanged(session) {
    const wasSignedIn = get().session?.signedIn === true;
    get().applySession(session);
    if (session.signedIn && !wasSignedIn) void get().loadConversations();
    if (!session.signedIn && wasSignedIn) {
      get().closeConversation();
      get().resetConversations();
    }
  },

  async openConversation(conversationId, options = {}) {
    const previous = get().openId;
    if (previous !== null && previous !== conversationId) get().flushDraft(previous);
    if (previous === conversationId && options.around === undefined) return;
    get().clearCustomerAction();
    if (get().summaries[conversationId] === undefined) void get().fetchSummary(conversationId);
    void get().loadDraft(conversationId);
    await get().loadThread(conversationId, options.around);
  },

  conversationsRemoved(items) {
    get().dropConversations(items.map((i) => i.conversationId));
    const open = items.find((i) => i.conversationId === get().openId);
    if (open === undefined) return;
    // Not closeConversation(): its draft was moved by the core, and saving to a conversation that is gone would fail.
    get().clearThread();
    if (open.mergedInto !== null) void get().openConversation(open.mergedInto);
  },

  closeConversation() {
    const previous = get().openId;
    if (previous !== null) get().flushDraft(previous);
    get().clearThread();
  },
});
