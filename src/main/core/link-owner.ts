// Whose a link's queued work and cursor are, as a key that never holds a credential: the agent a device session was
// issued to, or (a relay without device sessions) the static token's fingerprint.
import { createHash } from 'node:crypto';

/** A token's fingerprint: which token the cursor and queued work belong to, without keeping the token itself. */
export function tokenKey(token: string): string {
  return createHash('sha256').update(`branchline-token:${token}`).digest('hex').slice(0, 32);
}

/**
 * The author key of a device session: the agent the relay named when it issued the session. Stable across refreshes
 * and across sign-ins of the same agent, whatever the first factor, so their queue and cursor survive a new sign-in.
 */
export function agentKey(agentId: string): string {
  return createHash('sha256').update(`branchline-agent:${agentId}`).digest('hex').slice(0, 32);
}

/** Whose the queued work and the cursor of a link are: `key`, and keys the same agent queued under before (an upgrade). */
export interface LinkOwner {
  key: string;
  formerKeys?: readonly string[];
}
