// The customer panel's actions against a fake service: read receipts only on request, errors in words.
import { describe, expect, it } from 'vitest';
import { ConsoleError } from '../../shared/contract';
import { message } from '../test-support/fake-api';
import { startedStore } from '../test-support/store-harness';

describe('customer actions', () => {
  it('marks read up to the newest inbound message loaded, and only when asked', async () => {
    const { store, fake } = await startedStore({
      'messages.page': () => ({
        messages: [message('out', { direction: 'out', createdAt: 3 }), message('in2', { createdAt: 2 }), message('in1', { createdAt: 1 })],
        olderCursor: null,
        hasOlder: false,
      }),
      'messages.markRead': () => ({ ok: true }),
    });
    await store.getState().openConversation('c1');
    expect(fake.callsTo('messages.markRead')).toEqual([]);
    expect(await store.getState().markRead('c1')).toBe(true);
    expect(fake.callsTo('messages.markRead')).toEqual([{ conversationId: 'c1', upToMessageId: 'in2' }]);
  });

  it('keeps an error in words for the panel', async () => {
    const { store } = await startedStore({
      'conversations.assignToMe': () => {
        throw new ConsoleError('offline', 'Assigning needs a connection');
      },
    });
    expect(await store.getState().assign('c1', true)).toBe(false);
    expect(store.getState().customerAction).toMatchObject({
      conversationId: 'c1',
      kind: 'assign',
      busy: false,
      error: expect.stringMatching(/connection to the relay/),
    });
  });
});
