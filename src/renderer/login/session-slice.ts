// Who is signed in, and the sign-in form's progress and error (the form keeps what the agent typed): which ways in the
// relay offers (single sign-on, the agent token) and where a single sign-on handed to the browser stands.
import type { AuthMethods, Session, SsoOutcome } from '../../shared/contract';
import type { SliceCreator } from '../store/app-state';
import { errorCode, errorText } from '../ui/error-text';
import { strings } from '../ui/strings';

export interface SignInState {
  busy: boolean;
  error: string | null;
  /** 'unauthorized' means the token, anything else the address or the network. */
  errorCode: string | null;
}

/** What the relay at `relayUrl` accepts, as last asked (session.authMethods). */
export interface AuthMethodsState {
  relayUrl: string | null;
  status: 'idle' | 'loading' | 'ready' | 'failed';
  methods: AuthMethods | null;
  error: string | null;
  errorCode: string | null;
}

/**
 * A single sign-on attempt: 'starting' until the service answered, 'waiting' while the agent is at the provider's page,
 * 'failed' with the reason, 'cancelled' once the agent gave up (a late outcome is then not shown).
 */
export interface SsoState {
  phase: 'idle' | 'starting' | 'waiting' | 'failed' | 'cancelled';
  error: string | null;
}

export interface SessionSlice {
  session: Session | null;
  signIn: SignInState;
  authMethods: AuthMethodsState;
  sso: SsoState;
  /** Sign-out is waiting for the agent to say what happens to their messages not sent yet (how many). */
  signOutQuestion: { queued: number } | null;
  applySession(session: Session): void;
  /** Resolves true when the relay accepted the token. */
  submitSignIn(relayUrl: string, token: string): Promise<boolean>;
  /**
   * Asks the relay at this address how agents sign in (not again while an answer for it is here or on its way, unless
   * `again`); an answer for an address the agent has since changed is dropped.
   */
  loadAuthMethods(relayUrl: string, again?: boolean): Promise<void>;
  /**
   * Starts single sign-on. Resolves the provider's address when the page itself must go there (the web preview), or
   * null when the system browser was opened or starting failed (the reason is in `sso.error`).
   */
  startSso(relayUrl: string): Promise<string | null>;
  cancelSso(): Promise<void>;
  /** A session.sso event: success is followed by session.changed; a failure says why and lets the agent try again. */
  applySsoOutcome(outcome: SsoOutcome): void;
  /** Signs out at once, or first asks (signOutQuestion) when messages are still queued. Resolves true once signed out. */
  requestSignOut(): Promise<boolean>;
  /** Signs out, wiping this console's copy; `queued`: the agent's unsent messages go when they are back (keep) or not at all. */
  signOut(queued?: 'keep' | 'discard'): Promise<boolean>;
  cancelSignOut(): void;
}

/** The relay's ways in when they were asked for this very address, else null (not asked yet, or the address changed). */
export function methodsFor(state: AuthMethodsState, relayUrl: string): AuthMethods | null {
  return state.status === 'ready' && state.relayUrl === relayUrl.trim() ? state.methods : null;
}

const IDLE_SSO: SsoState = { phase: 'idle', error: null };
const MAX_OUTCOME_WORDS = 300;

/** The service's own sentence for a refused sign-on (it names the failed check or that the identity is no agent). */
function outcomeText(outcome: SsoOutcome): string {
  const words = outcome.message?.trim() ?? '';
  if (words !== '' && words.length <= MAX_OUTCOME_WORDS) return /[.!?…]$/.test(words) ? words : `${words}.`;
  // 'unauthorized' alone would read as a refused token: here it was the bank's answer the relay did not accept.
  if (outcome.code === 'unauthorized') return strings.login.ssoRefused;
  return errorText({ code: outcome.code ?? 'internal' });
}

export const createSessionSlice: SliceCreator<SessionSlice> = (set, get, { api }) => ({
  session: null,
  signIn: { busy: false, error: null, errorCode: null },
  authMethods: { relayUrl: null, status: 'idle', methods: null, error: null, errorCode: null },
  sso: IDLE_SSO,
  signOutQuestion: null,

  applySession(session) {
    // Signed in (by the browser or a token): nothing is pending any more.
    if (session.signedIn && !session.signInAgain) set({ session, sso: IDLE_SSO });
    else set({ session });
  },

  async submitSignIn(relayUrl, token) {
    // The token is the agent's answer now: an earlier failed single sign-on is no longer the news.
    set({ signIn: { busy: true, error: null, errorCode: null }, sso: IDLE_SSO });
    try {
      const session = await api['session.signIn']({ relayUrl: relayUrl.trim(), token: token.trim() });
      set({ signIn: { busy: false, error: null, errorCode: null } });
      get().sessionChanged(session);
      return true;
    } catch (error) {
      set({ signIn: { busy: false, error: errorText(error), errorCode: errorCode(error) } });
      return false;
    }
  },

  async loadAuthMethods(address, again = false) {
    const relayUrl = address.trim();
    const known = get().authMethods;
    if (!again && known.relayUrl === relayUrl && (known.status === 'loading' || known.status === 'ready')) return;
    set({ authMethods: { relayUrl, status: 'loading', methods: null, error: null, errorCode: null } });
    const current = () => get().authMethods.relayUrl === relayUrl;
    try {
      const methods = await api['session.authMethods']({ relayUrl });
      if (current()) set({ authMethods: { relayUrl, status: 'ready', methods, error: null, errorCode: null } });
    } catch (error) {
      if (current()) set({ authMethods: { relayUrl, status: 'failed', methods: null, error: errorText(error), errorCode: errorCode(error) } });
    }
  },

  async startSso(relayUrl) {
    set({ sso: { phase: 'starting', error: null }, signIn: { busy: false, error: null, errorCode: null } });
    try {
      const { authorizationUrl, opened } = await api['session.ssoStart']({ relayUrl: relayUrl.trim() });
      // Cancelled while the service was still starting: the agent no longer waits for this one.
      if (get().sso.phase !== 'starting') return null;
      set({ sso: { phase: 'waiting', error: null } });
      return opened ? null : authorizationUrl;
    } catch (error) {
      set({ sso: { phase: 'failed', error: errorText(error) } });
      return null;
    }
  },

  async cancelSso() {
    set({ sso: { phase: 'cancelled', error: null } });
    try {
      await api['session.ssoCancel']({});
    } catch {
      // Nothing to cancel any more (the service restarted or finished): the agent has moved on either way.
    }
  },

  applySsoOutcome(outcome) {
    if (get().sso.phase === 'cancelled') return;
    set({ sso: outcome.ok ? IDLE_SSO : { phase: 'failed', error: outcomeText(outcome) } });
  },

  async requestSignOut() {
    const queued = get().connection?.queued ?? 0;
    if (queued === 0) return get().signOut();
    set({ signOutQuestion: { queued } });
    return false;
  },

  async signOut(queued = 'keep') {
    set({ signOutQuestion: null });
    // A draft still waiting to be saved goes first, so the wipe takes it too (and none is saved after it).
    get().flushAllDrafts();
    try {
      get().sessionChanged(await api['session.signOut']({ queued }));
      return true;
    } catch {
      // The service is unreachable: nothing to sign out of; the status bar already says so.
      return false;
    }
  },

  cancelSignOut() {
    set({ signOutQuestion: null });
  },
});
