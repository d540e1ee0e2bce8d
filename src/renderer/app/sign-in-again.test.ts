// When the device session ends the agent is asked to sign in again over their own workspace: nothing they had on
// screen or were typing is lost, what is queued is said and kept, and signing back in resumes the same desk.
import { describe, expect, it } from 'vitest';
import type { ConnectionState } from '../../shared/contract';
import { settle, summary } from '../test-support/fake-api';
import { SIGNED_IN, startedStore } from '../test-support/store-harness';
import { strings } from '../ui/strings';
import { screenOf } from './screen';

const ENDED = { ...SIGNED_IN, signedIn: false, signInAgain: true };
const queued = (n: number): ConnectionState => ({ status: 'credentials_needed', nextAttemptAt: null, queued: n, detail: null, tlsProblem: false });

async function atWork() {
  const harness = await startedStore({ 'conversations.list': () => ({ items: [summary('c1'), summary('c2')], total: 2 }) });
  await harness.store.getState().openConversation('c1');
  harness.store.getState().setDraft('c1', 'Your card will arrive on Monday, and');
  return harness;
}

describe('signing in again after the session ended', () => {
  it('shows the prompt over the same agent’s workspace, whether the service reports it signed out or still signed in', () => {
    for (const session of [ENDED, { ...ENDED, signedIn: true }]) {
      expect(screenOf('ready', session, 'credentials_needed')).toEqual({ kind: 'sign_in_again', relayUrl: 'wss://relay.example' });
    }
    expect(screenOf('ready', SIGNED_IN, 'live')).toEqual({ kind: 'workspace' });
    expect(screenOf('ready', { ...SIGNED_IN, signedIn: false, agent: null }, 'signed_out')).toEqual({ kind: 'login', credentialsNeeded: false });
    expect(screenOf('ready', SIGNED_IN, 'credentials_needed')).toEqual({ kind: 'login', credentialsNeeded: true });
  });

  it('keeps the list, the open conversation and the draft being typed; nothing is wiped or signed out', async () => {
    const { store, fake } = await atWork();
    fake.emit('connection.changed', queued(3));
    fake.emit('session.changed', ENDED);
    await settle();
    const state = store.getState();
    expect(state.list.ids).toEqual(['c1', 'c2']);
    expect(state.openId).toBe('c1');
    expect(state.drafts['c1']?.text).toBe('Your card will arrive on Monday, and');
    expect(state.connection?.queued).toBe(3);
    expect(fake.callsTo('session.signOut')).toEqual([]);
  });

  it('tells the agent who they were and that their waiting messages go after they sign in', () => {
    expect(strings.login.againBody('Amara Okafor')).toBe('Sign in again to continue as Amara Okafor.');
    expect(strings.login.againQueued(1)).toBe('1 message is waiting. They will be sent after you sign in.');
    expect(strings.login.againQueued(3)).toBe('3 messages are waiting. They will be sent after you sign in.');
  });

  it('signed back in as the same agent: the same desk, the draft still there, the typing carries on', async () => {
    const { store, fake } = await atWork();
    fake.emit('session.changed', ENDED);
    fake.emit('session.changed', SIGNED_IN);
    await settle();
    expect(screenOf('ready', store.getState().session, 'live')).toEqual({ kind: 'workspace' });
    expect(store.getState().list.ids).toEqual(['c1', 'c2']);
    expect(store.getState().openId).toBe('c1');
    store.getState().setDraft('c1', 'Your card will arrive on Monday, and you can');
    expect(store.getState().drafts['c1']?.text).toBe('Your card will arrive on Monday, and you can');
  });

  it('someone else signing in at the prompt does not see the previous agent’s conversations', async () => {
    const { store, fake } = await atWork();
    fake.emit('session.changed', ENDED);
    fake.handlers['conversations.list'] = () => ({ items: [], total: 0 });
    fake.emit('session.changed', { ...SIGNED_IN, agent: { id: 'ben', name: 'Ben Katz', role: 'agent', teams: [] } });
    expect(store.getState().list.ids).toEqual([]);
    expect(store.getState().openId).toBeNull();
  });
});
