// Which ways in the sign-in screen shows for what the relay offers and where a single sign-on stands.
import type { AuthMethods } from '../../shared/contract';
import type { SsoState } from './session-slice';

export interface SignInView {
  /** "Sign in with your bank account", the primary action. */
  sso: boolean;
  /** The token field: shown, behind "Use an agent token instead", or not offered at all. */
  token: 'shown' | 'collapsed' | 'hidden';
  /** "Continue in your browser…" with Cancel, in place of both. */
  waiting: boolean;
}

/**
 * `methods` null: not known yet (no address, still asking, or asking failed). The token field is shown then, as it
 * always was: a relay from before sessions takes nothing else, and the agent may already be typing.
 */
export function signInView(methods: AuthMethods | null, sso: SsoState['phase'], token: { opened: boolean; typed: boolean }): SignInView {
  if (sso === 'starting' || sso === 'waiting') return { sso: false, token: 'hidden', waiting: true };
  const offersSso = methods?.sso === true;
  const offersToken = methods === null || methods.token;
  let field: SignInView['token'] = 'hidden';
  if (offersToken) field = !offersSso || token.opened || token.typed ? 'shown' : 'collapsed';
  return { sso: offersSso, token: field, waiting: false };
}
