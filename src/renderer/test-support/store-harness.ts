// A store wired as main.tsx wires it, over the fake API and a fake clock: events in, state out, no React.
import type { Session } from '../../shared/contract';
import { connectEvents } from '../app/event-feed';
import { createAppStore } from '../app/compose-store';
import type { AppStore } from '../store/app-state';
import { createFakeApi, fakeDeps, settle, type FakeApi, type Handlers } from './fake-api';

export const SIGNED_IN: Session = {
  signedIn: true,
  relayUrl: 'wss://relay.example',
  agent: { id: 'me', name: 'Agent Me', role: 'agent', teams: [{ id: 'main', name: 'Main branch' }] },
  relayUrlLocked: false,
  signInAgain: false,
};

export interface Harness {
  store: AppStore;
  fake: FakeApi;
  deps: ReturnType<typeof fakeDeps>;
}

/** Handlers for a signed-in console with no conversations; tests override what they need. */
export function baseHandlers(): Handlers {
  return {
    'session.get': () => SIGNED_IN,
    'connection.get': () => ({ status: 'live', nextAttemptAt: null, queued: 0, detail: null, tlsProblem: false }),
    'sync.get': () => ({ phase: 'idle', done: 0, total: 0 }),
    'settings.get': () => ({ notificationPrivacy: 'show', sounds: true, closeToTray: false, theme: 'system' }),
    'conversations.list': () => ({ items: [], total: 0 }),
    'messages.page': () => ({ messages: [], olderCursor: null, hasOlder: false }),
    'drafts.get': () => ({ text: '' }),
    'drafts.save': () => ({ ok: true }),
    'conversations.setOpen': () => ({ ok: true }),
  };
}

export async function startedStore(handlers: Handlers = {}): Promise<Harness> {
  const fake = createFakeApi({ ...baseHandlers(), ...handlers });
  const deps = fakeDeps(fake.api);
  const store = createAppStore(deps);
  connectEvents(fake.api, store);
  await store.getState().start();
  await settle();
  return { store, fake, deps };
}
