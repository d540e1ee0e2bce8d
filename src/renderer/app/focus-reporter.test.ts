// conversations.setOpen follows the open conversation and the window's focus.
import { describe, expect, it } from 'vitest';
import { settle } from '../test-support/fake-api';
import { startedStore } from '../test-support/store-harness';
import { reportOpenConversation } from './focus-reporter';

describe('reportOpenConversation', () => {
  it('tells the service which conversation is open and whether the window has focus, on every change', async () => {
    const { store, fake } = await startedStore();
    let focused = true;
    let changed: () => void = () => {};
    reportOpenConversation(fake.api, store, { hasFocus: () => focused, onChange: (cb) => ((changed = cb), () => {}) });
    await store.getState().openConversation('c1');
    focused = false;
    changed();
    changed(); // nothing new: not sent again
    store.getState().closeConversation();
    await settle();
    expect(fake.callsTo('conversations.setOpen')).toEqual([
      { conversationId: null, windowFocused: true },
      { conversationId: 'c1', windowFocused: true },
      { conversationId: 'c1', windowFocused: false },
      { conversationId: null, windowFocused: false },
    ]);
  });
});
