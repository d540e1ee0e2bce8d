// Names instead of ids: who holds a conversation, who sent a message ("You" or the colleague's name), who is signed in.
import type { Directory, SessionAgent } from '../../shared/contract';
import type { Conversation, Message } from '../../shared/domain';
import { strings } from './strings';

const t = strings.team;

/** A colleague's name: the one the relay sent with the id, else the directory's, else "A colleague" (never an id). */
export function agentName(id: string, known: { name: string } | null | undefined, directory: Directory | null): string {
  if (known !== null && known !== undefined && known.name.trim() !== '') return known.name;
  if (directory?.me.id === id) return directory.me.name;
  return directory?.agents.find((a) => a.id === id)?.name ?? t.colleague;
}

/** Who holds the conversation by name, or null when nobody does. */
export function assigneeName(conversation: Pick<Conversation, 'assignedAgentId' | 'assignedAgent'>, directory: Directory | null): string | null {
  return conversation.assignedAgentId === null ? null : agentName(conversation.assignedAgentId, conversation.assignedAgent, directory);
}

/**
 * Who wrote an outbound message, as this agent reads it: "You" for their own, the colleague's name for another's.
 * A message that names nobody (written before the relay said who) reads as "You", as it always did.
 */
export function senderOf(message: Pick<Message, 'senderAgentId' | 'sender'>, me: string | null, directory: Directory | null): { mine: boolean; name: string } {
  const id = message.sender?.id ?? message.senderAgentId;
  if (id === null || id === me) return { mine: true, name: t.you };
  return { mine: false, name: agentName(id, message.sender, directory) };
}

/** "Main branch, North branch" for the header. */
export function teamsLabel(agent: Pick<SessionAgent, 'teams'>): string {
  return agent.teams.map((team) => team.name).join(', ');
}
