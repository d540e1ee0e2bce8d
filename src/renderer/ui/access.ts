// What this agent may do in a conversation, as the relay decides it (the relay enforces; the UI only reflects it).
import type { SessionAgent } from '../../shared/contract';
import type { Conversation } from '../../shared/domain';

export interface Access {
  /** Assigned to this agent. */
  mine: boolean;
  /** Assigned to someone else. */
  heldByColleague: boolean;
  /** A supervisor of the conversation's team: may reply, release and transfer whoever holds it. */
  supervisor: boolean;
  /** Nothing may be sent, linked or marked read here: a colleague holds it and this agent does not supervise it. */
  readOnly: boolean;
  canTakeOver: boolean;
  canRelease: boolean;
  canTransfer: boolean;
}

export function accessOf(conversation: Pick<Conversation, 'assignedAgentId' | 'team'>, me: Pick<SessionAgent, 'id' | 'role' | 'teams'> | null): Access {
  const id = me?.id ?? null;
  const mine = id !== null && conversation.assignedAgentId === id;
  const heldByColleague = conversation.assignedAgentId !== null && !mine;
  const team = conversation.team?.id;
  // A conversation from a relay that names no team is the agent's own team's (one flat team, as before).
  const supervisor = me?.role === 'supervisor' && (team === undefined || me.teams.some((t) => t.id === team));
  return {
    mine,
    heldByColleague,
    supervisor,
    readOnly: heldByColleague && !supervisor,
    canTakeOver: heldByColleague,
    canRelease: mine || (heldByColleague && supervisor),
    canTransfer: supervisor,
  };
}
