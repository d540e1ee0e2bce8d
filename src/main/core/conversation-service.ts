// Reading and working the conversations: the list, search, history pages, drafts, and the relay actions on a
// conversation (assign or take over, release, transfer, link a case, mark read), each refused with words while offline;
// the relay's own refusals (`forbidden`, `conflict`) reach the agent with the relay's words.
import type { Clock } from '../../shared/clock';
import type { Role } from '../../shared/domain';
import type { MethodName, MethodParams } from '../../shared/protocol-methods';
import type { HandlersOf } from './console-service';
import type { LocalQueries } from './local-queries';
import { emptyChanges, type ChangeSet, type LocalStore } from './local-store';
import type { RelayLink } from './relay-link';
import { ServiceError } from './service-types';

/** What is on the agent's screen: no notification for the conversation they are reading. */
export interface ViewState {
  openConversationId: string | null;
  windowFocused: boolean;
  /** Notifications paused from the tray. */
  paused: boolean;
}

export interface ConversationServiceDeps {
  store: LocalStore;
  queries: LocalQueries;
  link: RelayLink;
  clock: Clock;
  view: ViewState;
  agentId: () => string | null;
  /** The signed-in agent's role, as the relay last said. */
  role: () => Role | null;
  /** A conversation started here: the list hears of it like any other change. */
  changed: (changes: ChangeSet, fromRelay: boolean) => void;
}

type Methods =
  | 'conversations.list'
  | 'conversations.get'
  | 'conversations.search'
  | 'conversations.linkCase'
  | 'conversations.assignToMe'
  | 'conversations.transfer'
  | 'conversations.setOpen'
  | 'conversations.findByWaId'
  | 'conversations.startWith'
  | 'messages.page'
  | 'messages.markRead'
  | 'drafts.get'
  | 'drafts.save';

export class ConversationService {
  constructor(private readonly deps: ConversationServiceDeps) {}

  readonly handlers: HandlersOf<Methods> = {
    'conversations.list': async ({ filter, limit, offset }) => this.deps.queries.listConversations(filter, this.deps.agentId(), limit, offset),
    'conversations.get': async ({ conversationId }) => {
      const [summary] = this.deps.queries.summaries([conversationId]);
      if (summary === undefined) throw new ServiceError('not_found', 'conversation not found');
      return summary;
    },
    'conversations.search': async ({ query, limit }) => ({ hits: this.deps.queries.search(query, limit) }),
    'conversations.linkCase': async (input) => this.relayAction('Linking a case', 'conversations.linkCase', input),
    // Taking over from a colleague is the agent's confirmed choice (the UI asks first); the relay records it and tells them.
    'conversations.assignToMe': async ({ conversationId, mine, takeOver }) =>
      this.relayAction(mine ? 'Taking a conversation' : 'Releasing a conversation', 'conversations.assign', {
        conversationId,
        agentId: mine ? this.deps.agentId() : null,
        ...(mine && takeOver === true && { takeOver: true }),
      }),
    'conversations.transfer': async ({ conversationId, teamId }) => {
      // The relay decides; this only spares a supervisor-only request from an agent the relay would refuse anyway.
      if (this.deps.role() === 'agent') throw new ServiceError('forbidden', 'Only a supervisor can move a conversation to another team.');
      return this.relayAction('Transferring a conversation', 'conversations.transfer', { conversationId, teamId });
    },
    'conversations.findByWaId': async ({ waId }) => ({ conversationId: this.deps.store.outbox.conversationByWaId(waId) }),
    // Local until its first message: the relay creates the conversation when it sends to the number (messages.send by waId).
    'conversations.startWith': async ({ waId }) => {
      const started = this.deps.store.outbox.conversationWith(waId, this.deps.clock.wallNow());
      if (started.created) this.deps.changed({ ...emptyChanges(), conversations: new Set([started.conversationId]) }, false);
      return started;
    },
    'conversations.setOpen': async ({ conversationId, windowFocused }) => {
      this.deps.view.openConversationId = conversationId;
      this.deps.view.windowFocused = windowFocused;
      return { ok: true };
    },
    'messages.page': async ({ conversationId, limit, before, around }) => this.deps.queries.messages(conversationId, limit, before, around),
    'messages.markRead': async (input) => this.relayAction('Marking as read', 'messages.markRead', input),
    'drafts.get': async ({ conversationId }) => ({ text: this.deps.store.session.draft(conversationId) }),
    'drafts.save': async ({ conversationId, text }) => {
      if (this.deps.store.conversation(conversationId) === null) throw new ServiceError('not_found', 'conversation not found');
      this.deps.store.session.saveDraft(conversationId, text, this.deps.clock.wallNow());
      return { ok: true };
    },
  };

  /** Unread messages over all conversations (dock badge, tray tooltip). */
  unreadTotal(): number {
    return this.deps.queries.listConversations('unread', null, 5_000, 0).items.reduce((sum, s) => sum + s.unread, 0);
  }

  private async relayAction<M extends MethodName>(what: string, method: M, params: MethodParams<M>): Promise<{ ok: true }> {
    if (!this.deps.link.isLive()) throw new ServiceError('offline', `${what} needs a connection to the relay; try again when the status bar says Live.`);
    const result = await this.deps.link.request(method, params, { deadlineMs: 15_000 });
    if (!result.ok) throw new ServiceError(result.error.code, result.error.message);
    // The relay's event for the change follows on the stream; nothing to store from the answer.
    return { ok: true };
  }
}
