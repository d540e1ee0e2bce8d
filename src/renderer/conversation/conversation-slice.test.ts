// The open conversation fed by message events, paging and search hits.
import { describe, expect, it } from 'vitest';
import type { Message } from '../../shared/domain';
import { message, settle } from '../test-support/fake-api';
import { startedStore } from '../test-support/store-harness';

const page = (messages: Message[], hasOlder = false) => ({
  messages: [...messages].reverse(),
  olderCursor: hasOlder ? `${messages[0]!.createdAt}:${messages[0]!.id}` : null,
  hasOlder,
});
const m = (id: string, t: number, patch: Partial<Message> = {}) => message(id, { createdAt: t, updatedAt: t, ...patch });
const ids = (state: { thread: { order: string[] } | null }) => state.thread?.order;

describe('the open conversation fed by messages.changed', () => {
  it('shows a new message and follows an outbound one from Queued to Read, never backwards', async () => {
    const { store, fake } = await startedStore({ 'messages.page': () => page([m('a', 1)]) });
    await store.getState().openConversation('c1');
    const out = m('o', 2, { direction: 'out', status: 'queued' });
    fake.emit('messages.changed', { conversationId: 'c1', messages: [out] });
    expect(ids(store.getState())).toEqual(['a', 'o']);
    fake.emit('messages.changed', { conversationId: 'c1', messages: [{ ...out, status: 'read' }] });
    fake.emit('messages.changed', { conversationId: 'c1', messages: [{ ...out, status: 'delivered' }] }); // late webhook
    expect(store.getState().thread?.byId['o']?.status).toBe('read');
  });

  it('ignores other conversations’ messages', async () => {
    const { store, fake } = await startedStore();
    await store.getState().openConversation('c1');
    fake.emit('messages.changed', { conversationId: 'c2', messages: [m('x', 5, { conversationId: 'c2' })] });
    expect(ids(store.getState())).toEqual([]);
  });

  it('applies events that arrive while the first page is on its way', async () => {
    let answer: () => void = () => {};
    const { store, fake } = await startedStore({
      'messages.page': () => new Promise((resolve) => (answer = () => resolve(page([m('a', 1), m('o', 2, { direction: 'out', status: 'queued' })])))),
    });
    const opening = store.getState().openConversation('c1');
    await settle();
    fake.emit('messages.changed', { conversationId: 'c1', messages: [m('o', 2, { direction: 'out', status: 'delivered' }), m('b', 3)] });
    answer();
    await opening;
    expect(ids(store.getState())).toEqual(['a', 'o', 'b']);
    expect(store.getState().thread?.byId['o']?.status).toBe('delivered');
  });

  it('removes a discarded message', async () => {
    const { store, fake } = await startedStore({ 'messages.page': () => page([m('a', 1), m('f', 2, { direction: 'out', status: 'failed' })]) });
    await store.getState().openConversation('c1');
    fake.emit('messages.removed', { conversationId: 'c1', messageIds: ['f'] });
    expect(ids(store.getState())).toEqual(['a']);
  });

  it('pages back through history with the cursor, keeping order', async () => {
    const { store, fake } = await startedStore({ 'messages.page': () => page([m('c', 3), m('d', 4)], true) });
    await store.getState().openConversation('c1');
    fake.handlers['messages.page'] = (input) => {
      expect(input.before).toBe('3:c');
      return page([m('a', 1), m('b', 2)]);
    };
    await store.getState().loadOlder();
    expect(ids(store.getState())).toEqual(['a', 'b', 'c', 'd']);
    expect(store.getState().thread?.hasOlder).toBe(false);
  });

  it('opens at a search hit; a gap to the newest messages waits for "Jump to latest"', async () => {
    const { store, fake } = await startedStore();
    fake.handlers['messages.page'] = (input) =>
      input.around === 'hit' ? page([m('old', 1), m('hit', 2), m('after', 3)], true) : page([m('new1', 50), m('new2', 51)], true);
    await store.getState().openConversation('c1', { around: 'hit' });
    let thread = store.getState().thread!;
    expect(thread.order).toEqual(['old', 'hit', 'after']);
    expect(thread.focusId).toBe('hit');
    expect(thread.gapToLatest).toBe(true);
    fake.emit('messages.changed', { conversationId: 'c1', messages: [m('newest', 60)] });
    expect(store.getState().thread!.order).toEqual(['old', 'hit', 'after']);

    await store.getState().jumpToLatest();
    thread = store.getState().thread!;
    expect(thread.order).toEqual(['new1', 'new2']);
    expect(thread.gapToLatest).toBe(false);
  });

  it('joins the hit’s page and the newest page when they meet', async () => {
    const { store, fake } = await startedStore();
    fake.handlers['messages.page'] = (input) => (input.around === 'hit' ? page([m('hit', 2), m('after', 3)], true) : page([m('after', 3), m('last', 4)]));
    await store.getState().openConversation('c1', { around: 'hit' });
    expect(store.getState().thread).toMatchObject({ order: ['hit', 'after', 'last'], gapToLatest: false, hasOlder: true, olderCursor: '2:hit' });
  });

  it('drops the answer for a conversation the agent already left', async () => {
    let answer: () => void = () => {};
    const { store, fake } = await startedStore();
    fake.handlers['messages.page'] = (input) =>
      input.conversationId === 'slow' ? new Promise((resolve) => (answer = () => resolve(page([m('s', 1, { conversationId: 'slow' })])))) : page([m('f', 1)]);
    const slow = store.getState().openConversation('slow');
    await settle();
    await store.getState().openConversation('c1');
    answer();
    await slow;
    expect(store.getState().thread).toMatchObject({ conversationId: 'c1', order: ['f'] });
  });

  it('keeps a Retry or Discard error by message, in words', async () => {
    const { store } = await startedStore({ 'messages.retry': () => Promise.reject(Object.assign(new Error('x'), { code: 'offline' })) });
    await store.getState().retryMessage('f');
    expect(store.getState().messageErrors['f']).toMatch(/needs a connection to the relay/);
  });
});
