// Need-to-know, decided purely: which conversations an agent may see, and what they may do in one, with refusals in words.
import type { AgentRef, Conversation, Role, TeamRef } from '../../shared/domain';
import { fail, ok, type Result } from '../../shared/errors';

/** Who is asking: the signed-in agent with the role and teams the relay holds for them now. */
export interface Caller {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly teams: readonly TeamRef[];
}

/** What a decision needs to know about a conversation: its team and its assignee (with their name, for the words). */
export type ConversationFacts = Pick<Conversation, 'id' | 'assignedAgentId'> & {
  readonly team?: TeamRef | undefined;
  readonly assignedAgent?: AgentRef | null | undefined;
};

/** An agent a conversation may be assigned to, as the store holds them now. */
export interface AssigneeFacts {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly teamIds: readonly string[];
  readonly active: boolean;
}

const NO_CUSTOMER_CONTENT = 'Admins manage teams, numbers and agents; customer conversations are not shown to admins';

/**
 * The teams whose events this agent's devices receive. Admins see no customer content, whatever teams they are in; an
 * agent in no team sees nothing.
 */
export function audienceOf(caller: Caller): string[] {
  return caller.role === 'admin' ? [] : caller.teams.map((t) => t.id);
}

/** Whether the agent may see this conversation now: it belongs to one of their teams (a conversation in no team: nobody). */
export function maySee(caller: Caller, conversation: ConversationFacts): boolean {
  const team = conversation.team;
  return team !== undefined && audienceOf(caller).includes(team.id);
}

/** Reading a conversation (history, its media): it must be one the agent may see. */
export function decideRead(caller: Caller, conversation: ConversationFacts): Result<void> {
  if (caller.role === 'admin') return fail('forbidden', NO_CUSTOMER_CONTENT);
  if (maySee(caller, conversation)) return ok(undefined);
  const team = conversation.team;
  if (team === undefined) return fail('forbidden', 'This conversation belongs to no team yet: ask an admin to give its number a team');
  return fail('forbidden', `This conversation is now handled by ${teamWords(team)}`);
}

/** Working in a conversation: replying, linking a case, marking it read. */
export type WorkAction = 'send' | 'linkCase' | 'markRead';

const WORK_WORDS: Record<WorkAction, string> = { send: 'to reply', linkCase: 'to link a case', markRead: 'to mark it read' };

/**
 * An unassigned conversation is anyone's (in its team) to work: the first reply makes it theirs. An assigned one only
 * its assignee's, or a supervisor's of its team.
 */
export function decideWork(caller: Caller, conversation: ConversationFacts, action: WorkAction): Result<void> {
  const read = decideRead(caller, conversation);
  if (!read.ok) return read;
  const assignee = conversation.assignedAgentId;
  if (assignee === null || assignee === caller.id || caller.role === 'supervisor') return ok(undefined);
  return fail('forbidden', `Assigned to ${assigneeName(conversation)}: take it over ${WORK_WORDS[action]}`);
}

export interface AssignRequest {
  /** null releases the conversation to its team. */
  readonly agentId: string | null;
  /** The agent confirmed taking a conversation assigned to someone else. */
  readonly takeOver: boolean;
}

/**
 * Assigning: take an unassigned conversation, take one over from a colleague (confirmed), release one's own; a supervisor
 * also reassigns to a colleague of the team and releases anyone's. `target` is the agent named by `agentId` (null when
 * the store has no such agent; ignored for a release).
 */
export function decideAssign(caller: Caller, conversation: ConversationFacts, request: AssignRequest, target: AssigneeFacts | null): Result<void> {
  const read = decideRead(caller, conversation);
  if (!read.ok) return read;
  const current = conversation.assignedAgentId;
  const supervisor = caller.role === 'supervisor';
  if (request.agentId === null) {
    if (current === null || current === caller.id || supervisor) return ok(undefined);
    return fail('forbidden', `Assigned to ${assigneeName(conversation)}: only they or a supervisor can release it`);
  }
  if (target === null || !target.active) return fail('not_found', `There is no active agent "${request.agentId.slice(0, 128)}"`);
  if (request.agentId === current) return ok(undefined); // already theirs: nothing to decide
  if (request.agentId !== caller.id && !supervisor) return fail('forbidden', 'Only a supervisor can assign a conversation to a colleague');
  const team = conversation.team!; // decideRead proved it exists
  if (target.role === 'admin' || !target.teamIds.includes(team.id)) return fail('invalid_input', `${target.name} is not in ${teamWords(team)}`);
  // Taking it from a colleague is confirmed by the agent; a supervisor handing it to someone else is itself the decision.
  if (current !== null && request.agentId === caller.id && !request.takeOver) {
    return fail('conflict', `Assigned to ${assigneeName(conversation)}: confirm to take it over`);
  }
  return ok(undefined);
}

/** A supervisor of the conversation's team moves it to another team (`team` null: the store has no such team). */
export function decideTransfer(caller: Caller, conversation: ConversationFacts, team: TeamRef | null, requestedTeamId: string): Result<void> {
  const read = decideRead(caller, conversation);
  if (!read.ok) return read;
  if (caller.role !== 'supervisor') return fail('forbidden', 'Only a supervisor can transfer a conversation to another team');
  if (team === null) return fail('not_found', `There is no team "${requestedTeamId.slice(0, 128)}"`);
  if (team.id === conversation.team?.id) return fail('invalid_input', `This conversation is already handled by ${teamWords(team)}`);
  return ok(undefined);
}

/** Where a file stands: who uploaded it (null: a customer sent it), and the teams whose conversations show it. */
export interface MediaFacts {
  readonly uploadedBy: string | null;
  readonly teamIds: readonly string[];
}

/** Downloading a file, or sending one in a message: the uploader's own file, or one of a conversation they may see. */
export function decideMedia(caller: Caller, media: MediaFacts): Result<void> {
  if (caller.role === 'admin') return fail('forbidden', NO_CUSTOMER_CONTENT);
  if (media.uploadedBy === caller.id) return ok(undefined);
  const audience = audienceOf(caller);
  if (media.teamIds.some((t) => audience.includes(t))) return ok(undefined);
  if (media.teamIds.length === 0) return fail('forbidden', 'This file belongs to a colleague and has not been sent yet');
  return fail('forbidden', 'This file is in a conversation another team handles');
}

/** Uploading is for agents who reply to customers. */
export function decideUpload(caller: Caller): Result<void> {
  return caller.role === 'admin' ? fail('forbidden', NO_CUSTOMER_CONTENT) : ok(undefined);
}

/** Starting a conversation by phone number: it starts in one of the agent's teams, so they need one. */
export function decideStart(caller: Caller): Result<void> {
  if (caller.role === 'admin') return fail('forbidden', NO_CUSTOMER_CONTENT);
  if (caller.teams.length === 0) return fail('forbidden', 'You are in no team yet: ask an admin to add you to one');
  return ok(undefined);
}

/** "the North branch team"; a name that already says team is not doubled ("the Back office team"). */
export function teamWords(team: TeamRef): string {
  return /\bteam$/i.test(team.name.trim()) ? `the ${team.name.trim()}` : `the ${team.name.trim()} team`;
}

function assigneeName(conversation: ConversationFacts): string {
  return conversation.assignedAgent?.name ?? conversation.assignedAgentId ?? 'nobody';
}
