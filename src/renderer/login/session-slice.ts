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
  applySession(session: Session): void;
  /** Resolves true when the relay accepted the token. */
  submitSignIn(relayUrl: string, token: string): Promise<boolean>;
  signOut(): Promise<void>;
}

export const createSessionSlice: SliceCreator<SessionSlice> = (set, get, { api }) => ({
  session: null,
  signIn: { busy: false, error: null, errorCode: null },

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

  async signOut() {
    try {
      get().sessionChanged(await api['session.signOut']({}));
    } catch {
      // The service is unreachable: nothing to sign out of; the status bar already says so.
    }
  },
});
