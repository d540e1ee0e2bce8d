// The shell's orchestration: start-up, reacting to sign-in and sign-out, and opening a conversation.
// Feature slices stay independent; the steps that touch several of them live here (declared in store/shell-slice.ts).
import type { Session, SessionAgent } from '../../shared/contract';
import type { SliceCreator } from '../store/app-state';
import type { ShellSlice } from '../store/shell-slice';
import { customerLabel } from '../ui/customer-label';
import { errorText } from '../ui/error-text';
import { strings } from '../ui/strings';

const sameAgent = (a: SessionAgent | null | undefined, b: SessionAgent | null | undefined) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

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
    const previous = get().session;
    // A session that ended and waits for the agent to sign in again is the same agent's desk: their list, open
    // conversation and drafts stay on screen (read-only behind the prompt) and nothing is reloaded for it.
    const present = (s: Session | null | undefined) => s?.signedIn === true || s?.signInAgain === true;
    const wasSignedIn = present(previous);
    // Another agent signed in over this one (the console wiped its cache): nothing of the previous agent's stays on screen.
    const before = previous?.agent ?? null;
    const otherAgent = wasSignedIn && session.signedIn && before !== null && before.id !== session.agent?.id;
    get().applySession(session);
    if ((!present(session) && wasSignedIn) || otherAgent) {
      get().closeConversation();
      get().resetConversations();
      get().resetTeam();
    }
    if (session.signedIn && (!wasSignedIn || otherAgent)) void get().loadConversations();
    // Colleagues' names and the teams a supervisor may transfer to follow who is signed in, and their role and teams.
    if (session.signedIn && (!wasSignedIn || !sameAgent(previous?.agent, session.agent))) void get().loadDirectory();
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
    const state = get();
    const open = items.find((i) => i.conversationId === state.openId);
    // Named before the rows go: the notice says whom the conversation was with.
    const customer = open === undefined ? null : state.summaries[open.conversationId];
    const ids = items.map((i) => i.conversationId);
    state.dropConversations(ids);
    state.dropSearchHits(ids);
    for (const id of ids) if (id !== open?.conversationId) state.dismissNoticesFor(id);
    if (open === undefined) return;
    // Not closeConversation(): its draft was moved by the core, and saving to a conversation that is gone would fail.
    get().clearThread();
    if (open.mergedInto !== null) {
      void get().openConversation(open.mergedInto);
      return;
    }
    // Left this agent's teams (a transfer, changed access): said once, calmly, in place of the conversation.
    const name = customer === undefined || customer === null ? strings.message.customer : customerLabel(customer.conversation).name;
    const team = get().transfers[open.conversationId];
    get().addNotice(
      team === undefined
        ? { kind: 'left', conversationId: open.conversationId, customer: name }
        : { kind: 'transferred', conversationId: open.conversationId, customer: name, team },
    );
  },

  conversationsTakenOver(items) {
    for (const { conversationId, by } of items) {
      const summary = get().summaries[conversationId];
      const customer = summary === undefined ? strings.message.customer : customerLabel(summary.conversation).name;
      get().addNotice({ kind: 'taken_over', conversationId, customer, by: by.name });
    }
  },

  closeConversation() {
    const previous = get().openId;
    if (previous !== null) get().flushDraft(previous);
    get().clearThread();
  },
});
