// Turns committed changes into UI events, batched: a burst of 1,000 inbound messages is a handful of updates.
import type { Clock } from '../../shared/clock';
import type { ConsoleEvent, EventPayload } from '../../shared/contract';
import type { Message } from '../../shared/domain';
import type { LocalQueries } from './local-queries';
import type { ChangeSet } from './local-store';
import { decideNotifications, type NotificationContext } from './domain/notification-policy';

export type EmitFn = <E extends ConsoleEvent>(event: E, payload: EventPayload<E>) => void;

export class ChangeCoalescer {
  private conversations = new Set<string>();
  private messages = new Map<string, Message>();
  private newInbound: Message[] = [];
  private removed = new Map<string, string | null>();
  /** Conversations this agent held that a colleague now has, with that colleague. */
  private takenOver = new Map<string, { id: string; name: string }>();
  private cancel: (() => void) | null = null;

  constructor(
    private readonly deps: {
      queries: LocalQueries;
      clock: Clock;
      emit: EmitFn;
      notificationContext: () => NotificationContext;
      /** The signed-in agent, and a colleague's name when the relay did not give it (the directory kept here). */
      me?: () => string | null;
      nameOf?: (agentId: string) => string | null;
      /** How long changes gather before one flush. */
      windowMs: number;
    },
  ) {}

  add(changes: ChangeSet): void {
    for (const id of changes.conversations) this.conversations.add(id);
    for (const [id, message] of changes.messages) this.messages.set(id, message);
    this.newInbound.push(...changes.newInbound);
    for (const id of changes.conversations) this.removed.delete(id);
    for (const [id, mergedInto] of changes.removedConversations) {
      this.removed.set(id, mergedInto);
      this.conversations.delete(id);
    }
    const me = this.deps.me?.() ?? null;
    for (const [id, change] of changes.assignments) {
      if (me !== null && change.from === me && change.to !== null && change.to !== me) {
        this.takenOver.set(id, { id: change.to, name: change.toName ?? this.deps.nameOf?.(change.to) ?? change.to });
      } else if (change.to === me) this.takenOver.delete(id);
    }
    const pending = this.conversations.size > 0 || this.messages.size > 0 || this.removed.size > 0 || this.takenOver.size > 0;
    if (this.cancel === null && pending) {
      this.cancel = this.deps.clock.setTimer(this.deps.windowMs, () => this.flush());
    }
  }

  /** Emits everything gathered so far. */
  flush(): void {
    this.cancel?.();
    this.cancel = null;
    const conversations = [...this.conversations];
    const messages = [...this.messages.values()];
    const gone = new Set(this.removed.keys());
    const inbound = this.newInbound.filter((m) => !gone.has(m.conversationId));
    const removed = [...this.removed].map(([conversationId, mergedInto]) => ({ conversationId, mergedInto }));
    const takenOver = [...this.takenOver].filter(([id]) => !gone.has(id)).map(([conversationId, by]) => ({ conversationId, by }));
    this.takenOver = new Map();
    this.conversations = new Set();
    this.messages = new Map();
    this.newInbound = [];
    this.removed = new Map();

    // First, so the list drops them before a merged conversation's summary (with the moved draft) arrives.
    for (let i = 0; i < removed.length; i += 500) this.deps.emit('conversations.removed', { items: removed.slice(i, i + 500) });

    const byConversation = new Map<string, Message[]>();
    for (const m of messages) {
      if (gone.has(m.conversationId)) continue;
      byConversation.set(m.conversationId, [...(byConversation.get(m.conversationId) ?? []), m]);
    }
    for (const [conversationId, list] of byConversation) this.deps.emit('messages.changed', { conversationId, messages: list });
    // Summaries in slices, so one event never carries an unbounded list.
    const items = this.deps.queries.summaries(conversations);
    for (let i = 0; i < items.length; i += 500) this.deps.emit('conversations.changed', { items: items.slice(i, i + 500) });
    // After the summaries, so the UI already shows the new assignee when it says who took over.
    for (let i = 0; i < takenOver.length; i += 500) this.deps.emit('conversations.takenOver', { items: takenOver.slice(i, i + 500) });
    for (const notification of decideNotifications(inbound, this.deps.notificationContext())) this.deps.emit('notification.show', notification);
  }

  stop(): void {
    this.cancel?.();
    this.cancel = null;
  }
}
