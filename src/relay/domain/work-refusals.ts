// Need-to-know as the store re-checks it inside each change's own transaction: who may see, work, assign and transfer
// a conversation, decided purely from what the store read, with every refusal in words for the agent.
import type { Role, TeamRef } from '../../shared/domain';
import { fail, ok, type AppError, type Result } from '../../shared/errors';
import { teamWords } from './access';

/** The acting agent as the store holds them now (null: no such agent). */
export interface AgentFacts {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly teams: readonly TeamRef[];
  readonly revokedAt: number | null;
}

/** A conversation as the rules need it: its team and who (by id and name) it is assigned to. */
export interface WorkedConversation {
  readonly team: TeamRef;
  readonly assignedAgentId: string | null;
  readonly assigneeName: string | null;
}

export type WorkAction = 'send' | 'linkCase' | 'markRead';
const WORK_WORDS: Record<WorkAction, string> = { send: 'to reply', linkCase: 'to link a case', markRead: 'to mark it read' };
const NO_CUSTOMER_CONTENT = 'Admins manage teams, numbers and agents; customer conversations are not shown to admins';

const no = (code: AppError['code'], message: string): AppError => ({ code, message, retryable: false });
const assigneeName = (c: WorkedConversation): string => c.assigneeName ?? c.assignedAgentId ?? 'nobody';

/** Why this agent may not see a conversation of this team now; null when they may. */
export function readRefusal(agent: AgentFacts | null, team: TeamRef): AppError | null {
  if (agent === null || agent.revokedAt !== null) return no('forbidden', 'This agent has been revoked');
  if (agent.role === 'admin') return no('forbidden', NO_CUSTOMER_CONTENT);
  if (agent.teams.some((t) => t.id === team.id)) return null;
  return no('forbidden', `This conversation is now handled by ${teamWords(team)}`);
}

/** Why this agent may not reply, link a case or mark read here: an assigned conversation is its assignee's (or a supervisor's). */
export function workRefusal(agent: AgentFacts | null, conversation: WorkedConversation, action: WorkAction): AppError | null {
  const refused = readRefusal(agent, conversation.team);
  if (refused !== null || agent === null) return refused;
  const assignee = conversation.assignedAgentId;
  if (assignee === null || assignee === agent.id || agent.role === 'supervisor') return null;
  return no('forbidden', `Assigned to ${assigneeName(conversation)}: take it over ${WORK_WORDS[action]}`);
}

/**
 * Starting a conversation from one of our numbers: as if it existed, unassigned, in the number's team. An agent of
 * another team hears which team handles the number.
 */
export function startRefusal(agent: AgentFacts | null, numberTeam: TeamRef): AppError | null {
  const refused = readRefusal(agent, numberTeam);
  const outsider = refused !== null && agent !== null && agent.revokedAt === null && agent.role !== 'admin';
  return outsider ? no('forbidden', `Conversations on this number are handled by ${teamWords(numberTeam)}`) : refused;
}

/**
 * Taking, taking over (confirmed), releasing one's own; a supervisor also reassigns within the team and releases
 * anyone's. `agentId` null is a release; `target` is the agent `agentId` names, as the store holds them (null: none).
 */
export function assignRefusal(
  agent: AgentFacts | null,
  conversation: WorkedConversation,
  request: { agentId: string | null; takeOver: boolean },
  target: AgentFacts | null,
): AppError | null {
  const refused = readRefusal(agent, conversation.team);
  if (refused !== null || agent === null) return refused;
  const { agentId } = request;
  const current = conversation.assignedAgentId;
  const supervisor = agent.role === 'supervisor';
  if (agentId === null) {
    return current === null || current === agent.id || supervisor
      ? null
      : no('forbidden', `Assigned to ${assigneeName(conversation)}: only they or a supervisor can release it`);
  }
  if (agentId === current) return null;
  if (agentId !== agent.id && !supervisor) return no('forbidden', 'Only a supervisor can assign a conversation to a colleague');
  if (target === null || target.revokedAt !== null) return no('not_found', `There is no active agent "${agentId}"`);
  if (target.role === 'admin' || !target.teams.some((t) => t.id === conversation.team.id)) {
    return no('invalid_input', `${target.name} is not in ${teamWords(conversation.team)}`);
  }
  if (current !== null && agentId === agent.id && !request.takeOver)
    return no('conflict', `Assigned to ${assigneeName(conversation)}: confirm to take it over`);
  return null;
}

/** Only a supervisor of the conversation's team moves it to another team. */
export function transferRefusal(agent: AgentFacts | null, conversation: WorkedConversation): AppError | null {
  const refused = readRefusal(agent, conversation.team);
  if (refused !== null || agent?.role === 'supervisor') return refused;
  return no('forbidden', 'Only a supervisor can transfer a conversation to another team');
}

/** Where a transfer may go: an existing team (`team`, as the store found `teamId`) other than the conversation's own. */
export function transferTarget(conversation: WorkedConversation, teamId: string, team: TeamRef | undefined): Result<TeamRef> {
  if (team === undefined) return fail('not_found', `There is no team "${teamId}"`);
  if (team.id === conversation.team.id) return fail('invalid_input', `This conversation is already handled by ${teamWords(team)}`);
  return ok(team);
}
