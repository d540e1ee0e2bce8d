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
  /**
   * A conversations.removed event: out of the list and the search results; if it was open, its merged successor opens
   * instead, or a calm notice says it left (moved to another team, or out of this agent's reach).
   */
  conversationsRemoved(items: readonly { conversationId: string; mergedInto: string | null }[]): void;
  /** A colleague took over conversations this agent held: a notice names them. */
  conversationsTakenOver(items: readonly { conversationId: string; by: { id: string; name: string } }[]): void;
  closeConversation(): void;
}
