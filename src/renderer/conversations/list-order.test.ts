// Sorting, filtering and placing updated conversations in the loaded list.
import { describe, expect, it } from 'vitest';
import type { ConversationSummary } from '../../shared/contract';
import { summary } from '../test-support/fake-api';
import { compareSummaries, matchesFilter, placeInList } from './list-order';

const ME = 'agent-me';
const byId = (items: ConversationSummary[]) => Object.fromEntries(items.map((s) => [s.conversation.id, s]));

describe('compareSummaries', () => {
  it('puts the newest activity first, ties by id descending, no activity last', () => {
    const items = [
      summary('a', { lastMessageAt: 10 }),
      summary('b', { lastMessageAt: 30 }),
      summary('c', { lastMessageAt: null }),
      summary('d', { lastMessageAt: 30 }),
    ];
    expect([...items].sort(compareSummaries).map((s) => s.conversation.id)).toEqual(['d', 'b', 'a', 'c']);
  });
});

describe('matchesFilter', () => {
  it.each([
    ['all', summary('x'), true],
    ['mine', summary('x', { assignedAgentId: ME }), true],
    ['mine', summary('x', { assignedAgentId: 'other' }), false],
    ['unassigned', summary('x', { assignedAgentId: null }), true],
    ['unassigned', summary('x', { assignedAgentId: ME }), false],
    ['unread', summary('x', {}, { unread: 2 }), true],
    ['unread', summary('x', {}, { unread: 0 }), false],
  ] as const)('%s on %j is %s', (filter, item, expected) => {
    expect(matchesFilter(item, filter, ME)).toBe(expected);
  });
});

describe('placeInList', () => {
  const a = summary('a', { lastMessageAt: 300 });
  const b = summary('b', { lastMessageAt: 200 });
  const c = summary('c', { lastMessageAt: 100 });
  const options = { filter: 'all' as const, me: ME, keepId: null, complete: true };

  it('moves a conversation with a new message to the top', () => {
    const updated = summary('c', { lastMessageAt: 400 });
    const all = byId([a, b, updated]);
    expect(placeInList(['a', 'b', 'c'], all, updated, options)).toEqual({ ids: ['c', 'a', 'b'], totalDelta: 0 });
  });

  it('inserts a new conversation where it sorts, counting it', () => {
    const d = summary('d', { lastMessageAt: 250 });
    expect(placeInList(['a', 'b', 'c'], byId([a, b, c, d]), d, options)).toEqual({ ids: ['a', 'd', 'b', 'c'], totalDelta: 1 });
  });

  it('removes one that no longer matches the filter, unless it is open', () => {
    const taken = summary('b', { lastMessageAt: 200, assignedAgentId: 'other' });
    const unassigned = { ...options, filter: 'unassigned' as const };
    expect(placeInList(['a', 'b', 'c'], byId([a, taken, c]), taken, unassigned)).toEqual({ ids: ['a', 'c'], totalDelta: -1 });
    expect(placeInList(['a', 'b', 'c'], byId([a, taken, c]), taken, { ...unassigned, keepId: 'b' }).ids).toEqual(['a', 'b', 'c']);
  });

  it('leaves one that sorts past the loaded pages for its page', () => {
    const old = summary('z', { lastMessageAt: 1 });
    expect(placeInList(['a', 'b', 'c'], byId([a, b, c, old]), old, { ...options, complete: false })).toEqual({ ids: ['a', 'b', 'c'], totalDelta: 1 });
    expect(placeInList(['a', 'b', 'c'], byId([a, b, c, old]), old, options).ids).toEqual(['a', 'b', 'c', 'z']);
  });
});
