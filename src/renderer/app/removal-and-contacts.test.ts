// Conversations the core removed leave the list without a reload (the open one gives way to its merged successor),
// and a number on a shared contact card opens its conversation or starts one.
import { describe, expect, it } from 'vitest';
import { settle, summary } from '../test-support/fake-api';
import { startedStore } from '../test-support/store-harness';

describe('conversations.removed', () => {
  it('drops the conversations from the list and the summaries', async () => {
    const { store, fake } = await startedStore({ 'conversations.list': () => ({ items: [summary('a'), summary('b'), summary('c')], total: 3 }) });
    fake.emit('conversations.removed', { items: [{ conversationId: 'b', mergedInto: null }] });
    expect(store.getState().list).toMatchObject({ ids: ['a', 'c'], total: 2 });
    expect(store.getState().summaries['b']).toBeUndefined();
  });

  it('opens the conversation the open one was merged into, without saving the draft to the one that is gone', async () => {
    const { store, fake } = await startedStore({
      'conversations.list': () => ({ items: [summary('old'), summary('new')], total: 2 }),
      'drafts.get': ({ conversationId }) => ({ text: conversationId === 'new' ? 'moved draft' : '' }),
    });
    await store.getState().openConversation('old');
    store.getState().setDraft('old', 'typed');
    fake.emit('conversations.removed', { items: [{ conversationId: 'old', mergedInto: 'new' }] });
    await settle();
    expect(store.getState().openId).toBe('new');
    expect(store.getState().drafts['new']?.text).toBe('moved draft');
    expect(fake.callsTo('drafts.save')).not.toContainEqual(expect.objectContaining({ conversationId: 'old', text: 'typed' }));
  });

  it('closes the open conversation when it was removed without a successor', async () => {
    const { store, fake } = await startedStore({ 'conversations.list': () => ({ items: [summary('a')], total: 1 }) });
    await store.getState().openConversation('a');
    fake.emit('conversations.removed', { items: [{ conversationId: 'a', mergedInto: null }] });
    expect(store.getState().openId).toBeNull();
  });
});

describe('a WhatsApp number on a contact card', () => {
  it('knows whether a conversation with it exists, and opens (or starts) it', async () => {
    const { store, fake } = await startedStore({
      'conversations.findByWaId': ({ waId }) => ({ conversationId: waId === '972541234567' ? 'c-dana' : null }),
      'conversations.startWith': ({ waId }) => ({ conversationId: waId === '972541234567' ? 'c-dana' : 'c-new', created: waId !== '972541234567' }),
      'conversations.get': ({ conversationId }) => summary(conversationId, { lastInboundAt: null }),
    });
    await store.getState().lookUpContact('972541234567');
    await store.getState().lookUpContact('447700900123');
    expect(store.getState().contactConversations).toEqual({ '972541234567': 'c-dana', '447700900123': null });

    await store.getState().startConversationWith('447700900123');
    await settle();
    expect(store.getState().openId).toBe('c-new');
    expect(store.getState().contactConversations['447700900123']).toBe('c-new');
    expect(fake.callsTo('conversations.findByWaId')).toHaveLength(2);
  });

  it('says why when the conversation could not be started', async () => {
    const { store } = await startedStore({
      'conversations.startWith': () => {
        throw new Error('disk');
      },
    });
    await store.getState().startConversationWith('447700900123');
    expect(store.getState().contactErrors['447700900123']).toBeTruthy();
    expect(store.getState().openId).toBeNull();
  });
});
