// What need-to-know changes on screen, through the store as main.tsx wires it: the directory follows who is signed in,
// a conversation that left this agent's teams goes from the list, search and the open view with a calm notice, a
// colleague taking over is said by name, and taking over or transferring goes to the service only once confirmed.
import { describe, expect, it } from 'vitest';
import type { Directory, SearchHit } from '../../shared/contract';
import { ConsoleError } from '../../shared/contract';
import { settle, summary } from '../test-support/fake-api';
import { SIGNED_IN, startedStore } from '../test-support/store-harness';
import { noticeText } from '../team/Notices';
import { errorText } from '../ui/error-text';

const DIRECTORY: Directory = {
  me: SIGNED_IN.agent!,
  agents: [{ id: 'dana', name: 'Dana Levi', role: 'agent', teamIds: ['main'] }],
  teams: [
    { id: 'main', name: 'Main branch' },
    { id: 'north', name: 'North branch' },
  ],
  fetchedAt: 1,
};
const hit = (conversationId: string): SearchHit => ({
  conversationId,
  messageId: null,
  customer: { waId: '972541234567', name: `Customer ${conversationId}` },
  group: null,
  snippet: 'x',
  at: null,
});

describe('the directory', () => {
  it('is loaded when the agent signs in, again when their role or teams change, and forgotten on sign-out', async () => {
    const { store, fake } = await startedStore({ 'directory.get': () => DIRECTORY });
    expect(store.getState().directory).toEqual(DIRECTORY);
    fake.emit('session.changed', SIGNED_IN);
    expect(fake.callsTo('directory.get')).toHaveLength(1);
    fake.emit('session.changed', { ...SIGNED_IN, agent: { ...SIGNED_IN.agent!, role: 'supervisor' } });
    await settle();
    expect(fake.callsTo('directory.get')).toHaveLength(2);
    fake.emit('session.changed', { ...SIGNED_IN, signedIn: false });
    expect(store.getState().directory).toBeNull();
  });

  it('offline and never fetched: the reason is kept in words for the team picker', async () => {
    const { store } = await startedStore({
      'directory.get': () => {
        throw new ConsoleError('offline', 'needs the relay once');
      },
    });
    expect(store.getState().directoryError).toMatch(/connection to the relay/);
  });
});

describe('a conversation that left this agent’s teams', () => {
  it('goes from the list, the search results and the open view, with a calm notice naming the customer', async () => {
    const { store, fake } = await startedStore({
      'conversations.list': () => ({ items: [summary('a'), summary('b')], total: 2 }),
      'conversations.search': () => ({ hits: [hit('a'), hit('b')] }),
    });
    await store.getState().openConversation('a');
    store.setState({ search: { query: 'Customer', hits: [hit('a'), hit('b')], status: 'ready', error: null } });
    fake.emit('conversations.removed', { items: [{ conversationId: 'a', mergedInto: null }] });
    const state = store.getState();
    expect(state.list.ids).toEqual(['b']);
    expect(state.search.hits.map((h) => h.conversationId)).toEqual(['b']);
    expect(state.openId).toBeNull();
    expect(state.notices).toMatchObject([{ kind: 'left', conversationId: 'a', customer: 'Customer a' }]);
    expect(noticeText(state.notices[0]!, null)).toBe(
      'The conversation with Customer a is no longer yours to see: it moved to another team, or your access changed.',
    );
  });

  it('transferred by this supervisor: the notice names the team it went to', async () => {
    const { store, fake } = await startedStore({
      'conversations.list': () => ({ items: [summary('a')], total: 1 }),
      'conversations.transfer': () => {
        fake.emit('conversations.removed', { items: [{ conversationId: 'a', mergedInto: null }] });
        return { ok: true };
      },
    });
    await store.getState().openConversation('a');
    expect(await store.getState().transfer('a', { id: 'north', name: 'North branch' })).toBe(true);
    expect(fake.callsTo('conversations.transfer')).toEqual([{ conversationId: 'a', teamId: 'north' }]);
    expect(noticeText(store.getState().notices[0]!, null)).toBe('The conversation with Customer a now belongs to North branch.');
  });
});

describe('taken over', () => {
  it('says who took over, by name: "this conversation" when it is open, the customer otherwise', async () => {
    const { store, fake } = await startedStore({ 'conversations.list': () => ({ items: [summary('a'), summary('b')], total: 2 }) });
    await store.getState().openConversation('a');
    fake.emit('conversations.takenOver', {
      items: [
        { conversationId: 'a', by: { id: 'yossi', name: 'Yossi Cohen' } },
        { conversationId: 'b', by: { id: 'dana', name: 'Dana Levi' } },
      ],
    });
    const [a, b] = store.getState().notices;
    expect(noticeText(a!, 'a')).toBe('Yossi Cohen took over this conversation.');
    expect(noticeText(b!, 'a')).toBe('Dana Levi took over your conversation with Customer b.');
    store.getState().dismissNotice(a!.id);
    expect(store.getState().notices).toHaveLength(1);
  });

  it('taking over goes to the service only after the agent confirmed, and says so (takeOver: true)', async () => {
    const { store, fake } = await startedStore({ 'conversations.assignToMe': () => ({ ok: true }) });
    store.getState().askConfirm('take_over', 'a');
    expect(store.getState().confirm).toEqual({ kind: 'take_over', conversationId: 'a' });
    store.getState().cancelConfirm();
    expect(fake.callsTo('conversations.assignToMe')).toEqual([]);
    store.getState().askConfirm('take_over', 'a');
    await store.getState().assign('a', true, true);
    await store.getState().assign('a', false);
    expect(fake.callsTo('conversations.assignToMe')).toEqual([
      { conversationId: 'a', mine: true, takeOver: true },
      { conversationId: 'a', mine: false },
    ]);
    expect(store.getState().confirm).toBeNull();
  });
});

describe('refusals in words', () => {
  it('shows the relay’s own words for forbidden and conflict, and the catalogue’s for the rest', () => {
    expect(errorText(new ConsoleError('forbidden', 'This conversation is now handled by the North branch team'))).toBe(
      'This conversation is now handled by the North branch team.',
    );
    expect(errorText(new ConsoleError('conflict', 'Assigned to Dana Levi: confirm to take it over'))).toBe('Assigned to Dana Levi: confirm to take it over.');
    expect(errorText(new ConsoleError('forbidden', ''))).toMatch(/not allowed/);
    expect(errorText(new ConsoleError('internal', 'stack trace at line 3'))).not.toMatch(/stack/);
  });
});
