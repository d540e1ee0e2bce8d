// Which screen the shell shows: start-up, no service, sign-in, the workspace, or the workspace behind "sign in again".
import type { ConnectionStatus, Session } from '../../shared/contract';
import type { BootState } from '../store/shell-slice';

export type Screen =
  | { kind: 'starting' | 'unavailable' | 'workspace' }
  | { kind: 'login'; credentialsNeeded: boolean }
  /** The session ended: the same agent's workspace stays on screen, read-only behind the prompt for this relay. */
  | { kind: 'sign_in_again'; relayUrl: string };

export function screenOf(boot: BootState, session: Session | null, connection: ConnectionStatus | null): Screen {
  if (boot !== 'ready') return { kind: boot };
  const signedIn = session?.signedIn === true;
  // Checked before the connection: a core that says "credentials needed" meanwhile is saying the same thing.
  if (session?.signInAgain === true && session.relayUrl !== null && session.agent !== null) return { kind: 'sign_in_again', relayUrl: session.relayUrl };
  const credentialsNeeded = connection === 'credentials_needed';
  if (!signedIn || credentialsNeeded) return { kind: 'login', credentialsNeeded: signedIn && credentialsNeeded };
  return { kind: 'workspace' };
}
