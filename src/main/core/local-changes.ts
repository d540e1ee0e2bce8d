// What one commit to the console cache changed: the service turns it into UI events and notification decisions.
import type { Message } from '../../shared/domain';

/** A conversation's assignee changed: from whom (an id, or null), to whom (and their name when the relay gave it). */
export interface AssignmentChange {
  readonly from: string | null;
  readonly to: string | null;
  readonly toName: string | null;
}

export interface ChangeSet {
  readonly conversations: Set<string>;
  readonly messages: Map<string, Message>;
  /** Inbound messages seen for the first time. */
  readonly newInbound: Message[];
  /** Conversations dropped from the cache, each with the one it was merged into (or null). */
  readonly removedConversations: Map<string, string | null>;
  /** Conversations the cache did not hold before this commit (a transfer to the agent's team, a new customer). */
  readonly newConversations: Set<string>;
  /** Assignee changes of conversations the cache already held. */
  readonly assignments: Map<string, AssignmentChange>;
}

export function emptyChanges(): ChangeSet {
  return {
    conversations: new Set(),
    messages: new Map(),
    newInbound: [],
    removedConversations: new Map(),
    newConversations: new Set(),
    assignments: new Map(),
  };
}
