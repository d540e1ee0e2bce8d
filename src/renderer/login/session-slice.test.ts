// Signing out wipes this computer's copy, so the agent is asked first about messages not sent yet (and only then).
import { describe, expect, it } from 'vitest';
import { settle, summary } from '../test-support/fake-api';
import { SIGNED_IN, startedStore } from '../test-support/store-harness';

const SIGNED_OUT = { ...SIGNED_IN, signedIn: false, agent: null };
const withQueued = (queued: number) => ({
  'connection.get': () => ({ status: 'offline' as const, nextAttemptAt: null, queued, detail: null, tlsProblem: false }),
  'session.signOut': () => SIGNED_OUT,
});

describe('signing out', () => {
  it('signs out at once when nothing is queued, a draft being typed saved before (so the wipe takes it)', async () => {
    const { store, fake } = await startedStore(withQueued(0));
    store.getState().setDraft('c1', 'card number 4580');
    expect(await store.getState().requestSignOut()).toBe(true);
    expect(fake.calls.filter((c) => c.method.startsWith('drafts.') || c.method.startsWith('session.sign')).map((c) => c.method)).toEqual([
      'drafts.save',
      'session.signOut',
    ]);
    expect(fake.callsTo('session.signOut')).toEqual([{ queued: 'keep' }]);
    expect(store.getState().signOutQuestion).toBeNull();
    expect(store.getState().session?.signedIn).toBe(false);
  });

  it('asks first when messages are queued, and signs out with the choice: send later as them, or discard', async () => {
    for (const choice of ['keep', 'discard'] as const) {
      const { store, fake } = await startedStore(withQueued(2));
      expect(await store.getState().requestSignOut()).toBe(false);
      expect(store.getState().signOutQuestion).toEqual({ queued: 2 });
      expect(fake.callsTo('session.signOut')).toEqual([]);
      expect(await store.getState().signOut(choice)).toBe(true);
      expect(fake.callsTo('session.signOut')).toEqual([{ queued: choice }]);
      expect(store.getState().signOutQuestion).toBeNull();
    }
  });

  it('cancelling keeps the agent signed in, with nothing sent to the service', async () => {
    const { store, fake } = await startedStore(withQueued(1));
    await store.getState().requestSignOut();
    store.getState().cancelSignOut();
    expect(store.getState().signOutQuestion).toBeNull();
    expect(fake.callsTo('session.signOut')).toEqual([]);
    expect(store.getState().session?.signedIn).toBe(true);
  });

  it('another agent signing in over this one: the previous agent’s list leaves the screen and the new one loads', async () => {
    const { store, fake } = await startedStore({ 'conversations.list': () => ({ items: [summary('anas')], total: 1 }) });
    expect(store.getState().list.ids).toEqual(['anas']);
    fake.handlers['conversations.list'] = () => ({ items: [summary('bens')], total: 1 });
    fake.emit('session.changed', { ...SIGNED_IN, agent: { id: 'ben', name: 'Ben Katz', role: 'agent', teams: [] } });
    expect(store.getState().list.ids).toEqual([]);
    await settle();
    expect(store.getState().list.ids).toEqual(['bens']);
  });
});
