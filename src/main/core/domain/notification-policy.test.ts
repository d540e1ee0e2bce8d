import { describe, expect, it } from 'vitest';
import type { Conversation, Message } from '../../../shared/domain';
import { decideNotifications, type NotificationContext } from './notification-policy';

const conv = (id: string, name: string | null): Conversation => ({
  id,
  customer: { waId: '972541234567', name },
  assignedAgentId: null,
  lastInboundAt: 0,
  caseId: null,
  readUpTo: null,
  lastMessageAt: 0,
  createdAt: 0,
  updatedAt: 0,
});
const msg = (id: string, conversationId: string, body: string, at = 1, extra: Partial<Message> = {}): Message => ({
  id,
  conversationId,
  direction: 'in',
  content: { type: 'text', body },
  status: 'delivered',
  failure: null,
  replyToId: null,
  senderAgentId: null,
  createdAt: at,
  updatedAt: at,
  ...extra,
});
const ctx = (over: Partial<NotificationContext> = {}): NotificationContext => ({
  openConversationId: null,
  windowFocused: false,
  privacy: 'show',
  paused: false,
  conversation: (id) => (id === 'c1' ? conv('c1', 'Dana Levi') : id === 'c2' ? conv('c2', null) : null),
  ...over,
});

describe('notification policy', () => {
  it('notifies with the customer name and the message', () => {
    expect(decideNotifications([msg('m1', 'c1', 'Is my card ready?')], ctx())).toEqual([
      { conversationId: 'c1', messageId: 'm1', title: 'Dana Levi', body: 'Is my card ready?' },
    ]);
  });

  it.each([
    ['the open conversation while the window has focus', ctx({ openConversationId: 'c1', windowFocused: true }), 0],
    ['the open conversation while the window is in the background', ctx({ openConversationId: 'c1', windowFocused: false }), 1],
    ['another conversation while the window has focus', ctx({ openConversationId: 'c2', windowFocused: true }), 1],
    ['notifications turned off', ctx({ privacy: 'off' }), 0],
    ['notifications paused from the tray', ctx({ paused: true }), 0],
  ])('for %s: %i notification(s)', (_what, context, count) => {
    expect(decideNotifications([msg('m1', 'c1', 'hi')], context)).toHaveLength(count);
  });

  it('hides the text in privacy mode', () => {
    expect(decideNotifications([msg('m1', 'c1', 'my PIN is 1234')], ctx({ privacy: 'hide' }))[0]).toMatchObject({ title: 'Dana Levi', body: null });
  });

  it('shows one notification per conversation, for its newest message', () => {
    const burst = [msg('m1', 'c1', 'one', 1), msg('m3', 'c1', 'three', 3), msg('m2', 'c1', 'two', 2), msg('m4', 'c2', 'other', 1)];
    expect(decideNotifications(burst, ctx()).map((n) => n.messageId)).toEqual(['m3', 'm4']);
  });

  it('falls back to the number when the customer has no name, and ignores reactions and our own messages', () => {
    expect(decideNotifications([msg('m1', 'c2', 'hello')], ctx())[0]!.title).toBe('+972541234567');
    const reaction = msg('r', 'c1', '', 1, { content: { type: 'reaction', emoji: '👍', targetMessageId: null } });
    const ours = msg('o', 'c1', 'x', 1, { direction: 'out' });
    expect(decideNotifications([reaction, ours], ctx())).toEqual([]);
  });
});
