// What one commit to the console cache changed: the service turns it into UI events and notification decisions.
import type { Message } from '../../shared/domain';

export interface ChangeSet {
  readonly conversations: Set<string>;
  readonly messages: Map<string, Message>;
  /** Inbound messages seen for the first time. */
  readonly newInbound: Message[];
  /** Conversations dropped from the cache, each with the one it was merged into (or null). */
  readonly removedConversations: Map<string, string | null>;
}

export function emptyChanges(): ChangeSet {
  return { conversations: new Set(), messages: new Map(), newInbound: [], removedConversations: new Map() };
}
