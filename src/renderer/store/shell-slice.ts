// The steps that span several features (start-up, sign-in changes, opening a conversation), as the store exposes them.
// Declared here so any feature can call them through the store; the shell implements them (app/shell-slice.ts).
import type { Session } from '../../shared/contract';

export type BootState = 'starting' | 'ready' | 'unavailable';

export interface ShellSlice {
  boot: BootState;
  bootError: string | null;
  /** Starts the UI: session, connection, settings, then the list when signed in. */
  start(): Promise<void>;
  /** A session.changed event, or the answer of a sign-in or sign-out. */
  sessionChanged(session: Session): void;
  openConversation(conversationId: string, options?: { around?: string }): Promise<void>;
  /** A conversations.removed event: out of the list; if it was open, its merged successor opens instead. */
  conversationsRemoved(items: readonly { conversationId: string; mergedInto: string | null }[]): void;
  closeConversation(): void;
}
