// What one commit to the console cache changed: the service turns it into UI events and notification decisions.
import type { Message } from '../../shared/domain';

export interface ChangeSet {
  readonly conversations: Set<string>;
  readonly messages: Map<string, Message>;
  /** Inbound messages seen for the first time. */
  readonly newInbound: Message[];
}

export function emptyChanges(): ChangeSet {
  return { conversations: new Set(), messages: new Map(), newInbound: [] };
}
