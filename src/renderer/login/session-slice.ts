// Who is signed in, and the sign-in form's progress and error (the form keeps what the agent typed).
import type { Session } from '../../shared/contract';
import type { SliceCreator } from '../store/app-state';
import { errorCode, errorText } from '../ui/error-text';

export interface SignInState {
  busy: boolean;
  error: string | null;
  /** 'unauthorized' means the token, anything else the address or the network. */
  errorCode: string | null;
}

export interface SessionSlice {
  session: Session | null;
  signIn: SignInState;
  /** Sign-out is waiting for the agent to say what happens to their messages not sent yet (how many). */
  signOutQuestion: { queued: number } | null;
  applySession(session: Session): void;
  /** Resolves true when the relay accepted the token. */
  submitSignIn(relayUrl: string, token: string): Promise<boolean>;
  /** Signs out at once, or first asks (signOutQuestion) when messages are still queued. Resolves true once signed out. */
  requestSignOut(): Promise<boolean>;
  /** Signs out, wiping this console's copy; `queued`: the agent's unsent messages go when they are back (keep) or not at all. */
  signOut(queued?: 'keep' | 'discard'): Promise<boolean>;
  cancelSignOut(): void;
}

export const createSessionSlice: SliceCreator<SessionSlice> = (set, get, { api }) => ({
  session: null,
  signIn: { busy: false, error: null, errorCode: null },
  signOutQuestion: null,

  applySession(session) {
    set({ session });
  },

  async submitSignIn(relayUrl, token) {
    set({ signIn: { busy: true, error: null, errorCode: null } });
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
