// Decides which new customer messages deserve a desktop notification, and what it may say.
import type { EventPayload } from '../../../shared/contract';
import type { Conversation, Message } from '../../../shared/domain';
import { conversationTitle, previewOf } from './message-text';

export interface NotificationContext {
  /** The conversation on screen, and whether the window has focus. */
  readonly openConversationId: string | null;
  readonly windowFocused: boolean;
  readonly privacy: 'show' | 'hide' | 'off';
  /** Notifications paused from the tray. */
  readonly paused: boolean;
  readonly conversation: (id: string) => Conversation | null;
}

export type NotificationDecision = EventPayload<'notification.show'>;

/** At most one notification per conversation (its newest message); none for what the agent is looking at. */
export function decideNotifications(newInbound: readonly Message[], ctx: NotificationContext): NotificationDecision[] {
  if (ctx.privacy === 'off' || ctx.paused) return [];
  const newestPerConversation = new Map<string, Message>();
  for (const message of newInbound) {
    if (message.direction !== 'in' || message.content.type === 'reaction' || message.content.type === 'deleted') continue;
    if (ctx.windowFocused && message.conversationId === ctx.openConversationId) continue;
    const current = newestPerConversation.get(message.conversationId);
    if (current === undefined || message.createdAt >= current.createdAt) newestPerConversation.set(message.conversationId, message);
  }
  return [...newestPerConversation.values()].map((message) => {
    const conversation = ctx.conversation(message.conversationId);
    // In a group, the body says who wrote (the title names the group).
    const author = (conversation?.group ?? null) !== null ? (message.author?.name ?? null) : null;
    const preview = previewOf(message.content);
    return {
      conversationId: message.conversationId,
      messageId: message.id,
      title: conversationTitle(conversation).slice(0, 200),
      body: ctx.privacy === 'hide' ? null : (author === null ? preview : `${author}: ${preview}`).slice(0, 300),
    };
  });
}
