// Signing in with the bank's account: asking the relay what it takes, handing the agent to the browser, waiting,
// cancelling, and a refusal the agent can read and try again after.
import { describe, expect, it } from 'vitest';
import { ConsoleError, type MethodOutput } from '../../shared/contract';
import { settle } from '../test-support/fake-api';
import { SIGNED_IN, startedStore } from '../test-support/store-harness';
import { methodsFor } from './session-slice';

const SIGNED_OUT = { ...SIGNED_IN, signedIn: false, agent: null };
const RELAY = 'wss://relay.bank.example';
const BOTH = { sso: true, token: true, ssoIssuer: 'https://login.bank.example/realms/branch' };
const AUTH_URL = 'https://login.bank.example/realms/branch/auth?state=s1';

function signedOut(
  start: () => MethodOutput<'session.ssoStart'> | Promise<MethodOutput<'session.ssoStart'>> = () => ({ authorizationUrl: AUTH_URL, opened: true }),
) {
  return startedStore({
    'session.get': () => SIGNED_OUT,
    'session.authMethods': () => BOTH,
    'session.ssoStart': start,
    'session.ssoCancel': () => ({ ok: true }),
  });
}

describe('what the relay lets agents sign in with', () => {
  it('is asked once per address; an answer for an address the agent has since changed is not used', async () => {
    let answer: (value: MethodOutput<'session.authMethods'>) => void = () => undefined;
    const { store, fake } = await startedStore({
      'session.get': () => SIGNED_OUT,
      'session.authMethods': ({ relayUrl }) =>
        relayUrl === 'wss://old.example' ? new Promise((resolve) => (answer = resolve)) : { sso: false, token: true, ssoIssuer: null },
    });
    const slow = store.getState().loadAuthMethods('wss://old.example');
    await store.getState().loadAuthMethods(` ${RELAY} `);
    await store.getState().loadAuthMethods(RELAY);
    answer(BOTH);
    await slow;
    expect(fake.callsTo('session.authMethods')).toEqual([{ relayUrl: 'wss://old.example' }, { relayUrl: RELAY }]);
    expect(methodsFor(store.getState().authMethods, RELAY)).toEqual({ sso: false, token: true, ssoIssuer: null });
    expect(methodsFor(store.getState().authMethods, 'wss://old.example')).toBeNull();
  });

  it('a relay that cannot be reached or whose certificate fails says so in the words sign-in errors use, and can be asked again', async () => {
    let fail = true;
    const { store, fake } = await startedStore({
      'session.get': () => SIGNED_OUT,
      'session.authMethods': () => {
        if (fail) throw new ConsoleError('tls_failure', 'certificate pin mismatch for relay.bank.example');
        return BOTH;
      },
    });
    await store.getState().loadAuthMethods(RELAY);
    expect(store.getState().authMethods).toMatchObject({ status: 'failed', errorCode: 'tls_failure' });
    expect(store.getState().authMethods.error).toMatch(/secure connection to the relay failed/);
    await store.getState().loadAuthMethods(RELAY);
    expect(fake.callsTo('session.authMethods')).toHaveLength(2);
    fail = false;
    await store.getState().loadAuthMethods(RELAY, true);
    expect(methodsFor(store.getState().authMethods, RELAY)).toEqual(BOTH);
  });
});

describe('single sign-on', () => {
  it('in Electron: the system browser opens and the agent sees "Continue in your browser" until the outcome', async () => {
    const { store, fake } = await signedOut();
    expect(await store.getState().startSso(RELAY)).toBeNull();
    expect(fake.callsTo('session.ssoStart')).toEqual([{ relayUrl: RELAY }]);
    expect(store.getState().sso).toEqual({ phase: 'waiting', error: null });

    fake.emit('session.sso', { ok: true, code: null, message: null });
    fake.emit('session.changed', { ...SIGNED_IN, relayUrl: RELAY });
    await settle();
    expect(store.getState().sso.phase).toBe('idle');
    expect(store.getState().session?.signedIn).toBe(true);
    expect(fake.callsTo('conversations.list')).toHaveLength(1);
  });

  it('in the web preview: the page itself is sent to the provider (the store hands the address back)', async () => {
    const { store } = await signedOut(() => ({ authorizationUrl: AUTH_URL, opened: false }));
    expect(await store.getState().startSso(RELAY)).toBe(AUTH_URL);
    expect(store.getState().sso.phase).toBe('waiting');
  });

  it('a refused sign-on shows the relay’s reason, and the agent can try again', async () => {
    const { store, fake } = await signedOut();
    await store.getState().startSso(RELAY);
    fake.emit('session.sso', { ok: false, code: 'forbidden', message: 'amara@bank.example is not a Branchline agent: ask your supervisor' });
    expect(store.getState().sso).toEqual({ phase: 'failed', error: 'amara@bank.example is not a Branchline agent: ask your supervisor.' });
    expect(store.getState().session?.signedIn).toBe(false);

    await store.getState().startSso(RELAY);
    expect(store.getState().sso).toEqual({ phase: 'waiting', error: null });
    expect(fake.callsTo('session.ssoStart')).toHaveLength(2);
  });

  it('a refusal without words is still not blamed on a token', async () => {
    const { store, fake } = await signedOut();
    await store.getState().startSso(RELAY);
    fake.emit('session.sso', { ok: false, code: 'unauthorized', message: null });
    expect(store.getState().sso.error).toMatch(/bank’s sign-in page/);
    expect(store.getState().sso.error).not.toMatch(/token/);
  });

  it('a provider the relay cannot reach fails at once, with the reason', async () => {
    const { store } = await signedOut(() => {
      throw new ConsoleError('unavailable', 'the OpenID provider did not answer');
    });
    expect(await store.getState().startSso(RELAY)).toBeNull();
    expect(store.getState().sso.phase).toBe('failed');
    expect(store.getState().sso.error).toMatch(/Could not reach the relay/);
  });

  it('Cancel drops the pending sign-on at the service, and a late answer does not pop up afterwards', async () => {
    const { store, fake } = await signedOut();
    await store.getState().startSso(RELAY);
    await store.getState().cancelSso();
    expect(fake.callsTo('session.ssoCancel')).toEqual([{}]);
    fake.emit('session.sso', { ok: false, code: 'unauthorized', message: 'the sign-in was cancelled' });
    expect(store.getState().sso).toEqual({ phase: 'cancelled', error: null });
  });

  it('Cancel while the service is still starting: the browser page it answers with is not followed', async () => {
    let answer: (value: MethodOutput<'session.ssoStart'>) => void = () => undefined;
    const { store } = await signedOut(() => new Promise((resolve) => (answer = resolve)));
    const started = store.getState().startSso(RELAY);
    expect(store.getState().sso.phase).toBe('starting');
    await store.getState().cancelSso();
    answer({ authorizationUrl: AUTH_URL, opened: false });
    expect(await started).toBeNull();
    expect(store.getState().sso.phase).toBe('cancelled');
  });

  it('signing in with a token after a failed sign-on replaces the old failure with the token’s answer', async () => {
    const { store, fake } = await signedOut();
    fake.handlers['session.signIn'] = () => {
      throw new ConsoleError('unauthorized', 'unknown token');
    };
    await store.getState().startSso(RELAY);
    fake.emit('session.sso', { ok: false, code: 'forbidden', message: 'Your account is not allowed here' });
    expect(await store.getState().submitSignIn(RELAY, 'blt_wrong-token')).toBe(false);
    expect(store.getState().sso.phase).toBe('idle');
    expect(store.getState().signIn).toMatchObject({ errorCode: 'unauthorized', error: 'The relay did not accept this token.' });
  });
});
