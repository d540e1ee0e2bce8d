// The conversation list kept current by conversations.changed events.
import { describe, expect, it } from 'vitest';
import { settle, summary } from '../test-support/fake-api';
import { startedStore } from '../test-support/store-harness';

describe('conversation list fed by conversations.changed', () => {
  it('moves a conversation with a new message to the top and adds new ones', async () => {
    const { store, fake } = await startedStore({
      'conversations.list': () => ({ items: [summary('a', { lastMessageAt: 300 }), summary('b', { lastMessageAt: 200 })], total: 2 }),
    });
    fake.emit('conversations.changed', { items: [summary('b', { lastMessageAt: 400 }, { unread: 1 }), summary('n', { lastMessageAt: 350 })] });
    expect(store.getState().list.ids).toEqual(['b', 'n', 'a']);
    expect(store.getState().list.total).toBe(3);
    expect(store.getState().summaries['b']?.unread).toBe(1);
  });

  it('applies the filter to updates, but keeps the open conversation', async () => {
    const { store, fake } = await startedStore({
      'conversations.list': () => ({ items: [summary('a', { lastMessageAt: 300 }), summary('b', { lastMessageAt: 200 })], total: 2 }),
    });
    store.getState().setFilter('unassigned');
    await settle();
    await store.getState().openConversation('b');
    fake.emit('conversations.changed', {
      items: [summary('a', { lastMessageAt: 300, assignedAgentId: 'other' }), summary('b', { lastMessageAt: 200, assignedAgentId: 'me' })],
    });
    expect(store.getState().list.ids).toEqual(['b']);
  });

  it('reloads from the start when the filter changes, ignoring a slower answer for the old filter', async () => {
    let release: () => void = () => {};
    const { store, fake } = await startedStore();
    fake.handlers['conversations.list'] = (input) =>
      input.filter === 'all'
        ? new Promise((resolve) => (release = () => resolve({ items: [summary('stale')], total: 1 })))
        : { items: [summary('m', { assignedAgentId: 'me' })], total: 1 };
    void store.getState().loadConversations();
    store.getState().setFilter('mine');
    await settle();
    release();
    await settle();
    expect(store.getState().list.ids).toEqual(['m']);
  });

  it('loads the next page on demand, without duplicates', async () => {
    const { store, fake } = await startedStore({
      'conversations.list': () => ({ items: [summary('a', { lastMessageAt: 3 }), summary('b', { lastMessageAt: 2 })], total: 4 }),
    });
    fake.handlers['conversations.list'] = (input) => {
      expect(input.offset).toBe(2);
      return { items: [summary('b', { lastMessageAt: 2 }), summary('c', { lastMessageAt: 1 })], total: 4 };
    };
    await store.getState().loadMoreConversations();
    expect(store.getState().list.ids).toEqual(['a', 'b', 'c']);
  });
});
