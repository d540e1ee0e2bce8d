// Start-up, session changes and navigation events, through the store as main.tsx wires it.
import { describe, expect, it } from 'vitest';
import { ConsoleError } from '../../shared/contract';
import { settle, summary } from '../test-support/fake-api';
import { SIGNED_IN, startedStore } from '../test-support/store-harness';

describe('start-up and session', () => {
  it('loads the session, the connection, the settings and the list', async () => {
    const { store } = await startedStore({ 'conversations.list': () => ({ items: [summary('c1')], total: 1 }) });
    const state = store.getState();
    expect(state.boot).toBe('ready');
    expect(state.session?.agent?.name).toBe('Agent Me');
    expect(state.connection?.status).toBe('live');
    expect(state.settings?.theme).toBe('system');
    expect(state.list.ids).toEqual(['c1']);
  });

  it('says the service is unavailable when it does not answer', async () => {
    const { store } = await startedStore({
      'session.get': () => {
        throw new ConsoleError('offline', 'lost the connection to the console service');
      },
    });
    expect(store.getState().boot).toBe('unavailable');
    expect(store.getState().bootError).toMatch(/connection to the relay/);
  });

  it('does not load the list while signed out, and loads it once a session.changed says signed in', async () => {
    const { store, fake } = await startedStore({ 'session.get': () => ({ ...SIGNED_IN, signedIn: false }) });
    expect(fake.callsTo('conversations.list')).toHaveLength(0);
    fake.handlers['conversations.list'] = () => ({ items: [summary('c1')], total: 1 });
    fake.emit('session.changed', SIGNED_IN);
    await settle();
    expect(store.getState().list.ids).toEqual(['c1']);
  });

  it('keeps the sign-in error (and which kind) for the form; the form keeps the address itself', async () => {
    const { store } = await startedStore({
      'session.get': () => ({ ...SIGNED_IN, signedIn: false }),
      'session.signIn': () => {
        throw new ConsoleError('unauthorized', 'The relay did not accept this token.');
      },
    });
    expect(await store.getState().submitSignIn('wss://relay.example', 'blt_wrong_token')).toBe(false);
    expect(store.getState().signIn).toEqual({ busy: false, error: 'The relay did not accept this token.', errorCode: 'unauthorized' });
  });

  it('clears the open conversation and the list on sign-out', async () => {
    const { store, fake } = await startedStore({ 'conversations.list': () => ({ items: [summary('c1')], total: 1 }) });
    await store.getState().openConversation('c1');
    fake.emit('session.changed', { ...SIGNED_IN, signedIn: false });
    expect(store.getState().openId).toBeNull();
    expect(store.getState().list.ids).toEqual([]);
  });

  it('opens the conversation a notification click asks for, loading its messages and draft', async () => {
    const { store, fake } = await startedStore({ 'drafts.get': () => ({ text: 'half-written' }), 'conversations.get': () => summary('c9') });
    fake.emit('navigation.openConversation', { conversationId: 'c9' });
    await settle();
    expect(store.getState().openId).toBe('c9');
    expect(fake.callsTo('messages.page')).toEqual([{ conversationId: 'c9', limit: 50 }]);
    expect(store.getState().drafts['c9']?.text).toBe('half-written');
    expect(store.getState().summaries['c9']).toBeDefined();
  });

  it('follows connection and sync events', async () => {
    const { store, fake } = await startedStore();
    fake.emit('connection.changed', { status: 'offline', nextAttemptAt: null, queued: 3, detail: null, tlsProblem: false });
    fake.emit('sync.progress', { phase: 'syncing', done: 2, total: 10 });
    expect(store.getState().connection?.queued).toBe(3);
    expect(store.getState().sync).toEqual({ phase: 'syncing', done: 2, total: 10 });
  });
});
