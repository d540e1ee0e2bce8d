// Search debounce and stale answers.
import { describe, expect, it } from 'vitest';
import type { SearchHit } from '../../shared/contract';
import { settle } from '../test-support/fake-api';
import { startedStore } from '../test-support/store-harness';
import { SEARCH_DELAY_MS } from './search-slice';

const hit = (snippet: string): SearchHit => ({
  conversationId: 'c1',
  messageId: 'm1',
  customer: { waId: '972541234567', name: 'Dana' },
  group: null,
  snippet,
  at: 1,
});

describe('search', () => {
  it('waits for typing to pause, then asks once with the latest query', async () => {
    const { store, fake, deps } = await startedStore({ 'conversations.search': (input) => ({ hits: [hit(`\u0001${input.query}\u0002`)] }) });
    store.getState().setSearchQuery('lo');
    store.getState().setSearchQuery('loan ');
    expect(store.getState().search.status).toBe('searching');
    deps.clock.advance(SEARCH_DELAY_MS);
    await settle();
    expect(fake.callsTo('conversations.search')).toEqual([{ query: 'loan', limit: 50 }]);
    expect(store.getState().search).toMatchObject({ query: 'loan ', status: 'ready', hits: [hit('\u0001loan\u0002')] });
  });

  it('drops an answer that arrives after the query was cleared', async () => {
    let answer: (hits: SearchHit[]) => void = () => {};
    const { store, deps } = await startedStore({ 'conversations.search': () => new Promise((resolve) => (answer = (hits) => resolve({ hits }))) });
    store.getState().setSearchQuery('card');
    deps.clock.advance(SEARCH_DELAY_MS);
    await settle();
    store.getState().clearSearch();
    answer([hit('late')]);
    await settle();
    expect(store.getState().search).toEqual({ query: '', hits: [], status: 'idle', error: null });
  });
});
