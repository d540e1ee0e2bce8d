// Who works a conversation: assignment and take-over, release, transfer between teams, case links and
// read marks, each checked against the actor's rights inside its own transaction and written to the audit trail.
import type { Conversation, TeamRef } from '../../../shared/domain';
import { fail, ok, type AppError, type Result } from '../../../shared/errors';
import type { Actor, AgentAccess, AuditAction, ChangedBy } from '../access-types';
import type { SqlDatabase } from '../sql/sql-database';
import type { AssignOptions } from '../relay-store';
import type { AuditRecords } from './audit';
import type { ConversationRecords } from './conversations';
import type { EventLogRecords } from './event-log';
import type { MembershipRecords } from './memberships';
import type { TeamRecords } from './teams';
import { parseRows } from '../../../node-shared/stored-row';
import { IdRow, type ConversationRow } from './rows';

export type WorkAction = 'send' | 'linkCase' | 'markRead';
const WORK_WORDS: Record<WorkAction, string> = { send: 'to reply', linkCase: 'to link a case', markRead: 'to mark it read' };
const NO_CUSTOMER_CONTENT = 'Admins manage teams, numbers and agents; customer conversations are not shown to admins';

/** "the North branch team"; a name that already says team is not doubled. */
export function teamWords(team: TeamRef): string {
  return /\bteam$/i.test(team.name.trim()) ? `the ${team.name.trim()}` : `the ${team.name.trim()} team`;
}

const assigneeName = (row: ConversationRow): string => row.assignee_name ?? row.assigned_agent_id ?? 'nobody';
const teamOf = (row: Pick<ConversationRow, 'team_id' | 'team_name'>): TeamRef => ({ id: row.team_id, name: row.team_name });

/** Why this agent may not see the conversation (or one in this team) now; null when they may. */
export function readRefusal(agent: AgentAccess | null, row: Pick<ConversationRow, 'team_id' | 'team_name'>): AppError | null {
  if (agent === null || agent.revokedAt !== null) return { code: 'forbidden', message: 'This agent has been revoked', retryable: false };
  if (agent.role === 'admin') return { code: 'forbidden', message: NO_CUSTOMER_CONTENT, retryable: false };
  if (agent.teams.some((t) => t.id === row.team_id)) return null;
  return { code: 'forbidden', message: `This conversation is now handled by ${teamWords(teamOf(row))}`, retryable: false };
}

/** Why this agent may not reply, link a case or mark read here: an assigned conversation is its assignee's (or a supervisor's). */
export function workRefusal(agent: AgentAccess | null, row: ConversationRow, action: WorkAction): AppError | null {
  const refused = readRefusal(agent, row);
  if (refused !== null || agent === null) return refused;
  if (row.assigned_agent_id === null || row.assigned_agent_id === agent.id || agent.role === 'supervisor') return null;
  return { code: 'forbidden', message: `Assigned to ${assigneeName(row)}: take it over ${WORK_WORDS[action]}`, retryable: false };
}

export class OwnershipRecords {
  constructor(
    private readonly db: SqlDatabase,
    private readonly conversations: ConversationRecords,
    private readonly memberships: MembershipRecords,
    private readonly teams: TeamRecords,
    private readonly events: EventLogRecords,
    private readonly audit: AuditRecords,
  ) {}

  /** An agent request on one conversation: found, allowed, done and audited in one transaction. */
  private async work<T>(
    conversationId: string,
    actor: Actor | undefined,
    check: (agent: AgentAccess | null, row: ConversationRow) => Promise<AppError | null> | AppError | null,
    run: (row: ConversationRow) => Promise<Result<T>>,
  ): Promise<Result<T>> {
    return this.db.transaction(async (): Promise<Result<T>> => {
      const row = await this.conversations.byId(conversationId);
      if (row === undefined) return fail('not_found', 'conversation not found');
      if (actor !== undefined) {
        const refused = await check(await this.memberships.access(actor.agentId), row);
        if (refused !== null) return { ok: false, error: refused };
      }
      return run(row);
    });
  }

  private async record(
    action: AuditAction,
    actor: Actor | undefined,
    conversationId: string,
    now: number,
    detail: Record<string, string | null>,
    subjectId?: string | null,
  ): Promise<void> {
    await this.audit.append({
      at: now,
      action,
      actorId: actor?.agentId ?? null,
      source: actor?.source ?? null,
      conversationId,
      subjectId: subjectId ?? null,
      detail,
    });
  }

  async markRead(conversationId: string, upToMessageId: string, now: number, actor?: Actor) {
    return this.work(
      conversationId,
      actor,
      (agent, row) => workRefusal(agent, row, 'markRead'),
      async () => {
        const result = await this.conversations.markRead(conversationId, upToMessageId, now);
        if (result.ok) await this.record('conversation.mark_read', actor, conversationId, now, { upToMessageId });
        return result;
      },
    );
  }

  async linkCase(conversationId: string, caseId: string | null, now: number, actor?: Actor): Promise<Result<Conversation>> {
    return this.work(
      conversationId,
      actor,
      (agent, row) => workRefusal(agent, row, 'linkCase'),
      async () => {
        const result = await this.conversations.update(conversationId, 'case_id', caseId, now);
        if (result.ok) await this.record('conversation.link_case', actor, conversationId, now, { caseId });
        return result;
      },
    );
  }

  async assign(conversationId: string, agentId: string | null, now: number, options: AssignOptions = {}): Promise<Result<Conversation>> {
    const { actor, takeOver = false } = options;
    return this.work(
      conversationId,
      actor,
      (agent, row) => (agent === null ? readRefusal(agent, row) : this.assignRefusal(agent, row, agentId, takeOver)),
      async (row) => {
        const target = agentId === null ? null : await this.memberships.access(agentId);
        if (agentId !== null && (target === null || target.revokedAt !== null)) return fail('not_found', `There is no active agent "${agentId}"`);
        const previous = row.assigned_agent_id;
        if (previous === agentId) return ok(await this.conversations.emit(conversationId, now));
        const result = await this.conversations.update(conversationId, 'assigned_agent_id', agentId, now);
        const action = agentId === null ? 'conversation.release' : previous !== null ? 'conversation.take_over' : 'conversation.assign';
        // The audit's subject is the other agent concerned: the one it went to, or the one it was taken from.
        const subject = agentId !== null && agentId !== actor?.agentId ? agentId : previous;
        if (result.ok) await this.record(action, actor, conversationId, now, { from: previous, to: agentId }, subject);
        return result;
      },
    );
  }

  /** Taking, taking over (confirmed), releasing one's own; a supervisor also reassigns within the team and releases anyone's. */
  private async assignRefusal(agent: AgentAccess, row: ConversationRow, agentId: string | null, takeOver: boolean): Promise<AppError | null> {
    const refused = readRefusal(agent, row);
    if (refused !== null) return refused;
    const current = row.assigned_agent_id;
    const supervisor = agent.role === 'supervisor';
    const no = (code: 'forbidden' | 'conflict' | 'invalid_input' | 'not_found', message: string): AppError => ({ code, message, retryable: false });
    if (agentId === null) {
      return current === null || current === agent.id || supervisor
        ? null
        : no('forbidden', `Assigned to ${assigneeName(row)}: only they or a supervisor can release it`);
    }
    if (agentId === current) return null;
    if (agentId !== agent.id && !supervisor) return no('forbidden', 'Only a supervisor can assign a conversation to a colleague');
    const target = await this.memberships.access(agentId);
    if (target === null || target.revokedAt !== null) return no('not_found', `There is no active agent "${agentId}"`);
    if (target.role === 'admin' || !target.teams.some((t) => t.id === row.team_id))
      return no('invalid_input', `${target.name} is not in ${teamWords(teamOf(row))}`);
    if (current !== null && agentId === agent.id && !takeOver) return no('conflict', `Assigned to ${assigneeName(row)}: confirm to take it over`);
    return null;
  }

  /**
   * To another team, unassigned. The old team hears `conversation.removed` (not agents also in the new team), the new
   * team the conversation as it now stands; their consoles fetch its history.
   */
  async transfer(conversationId: string, teamId: string, now: number, actor?: Actor): Promise<Result<Conversation>> {
    return this.work(
      conversationId,
      actor,
      (agent, row) => {
        const refused = readRefusal(agent, row);
        if (refused !== null || agent?.role === 'supervisor') return refused;
        return { code: 'forbidden', message: 'Only a supervisor can transfer a conversation to another team', retryable: false };
      },
      async (row) => {
        const team = await this.teams.team(teamId);
        if (team === undefined) return fail('not_found', `There is no team "${teamId}"`);
        if (team.id === row.team_id) return fail('invalid_input', `This conversation is already handled by ${teamWords(team)}`);
        await this.db.run('UPDATE conversations SET team_id = ?, assigned_agent_id = NULL, updated_at = ? WHERE id = ?', [team.id, now, conversationId]);
        await this.events.append({ kind: 'conversation.removed', conversationId, mergedInto: null }, now, { teamId: row.team_id, unlessTeamId: team.id });
        const conversation = await this.conversations.emit(conversationId, now);
        await this.record('conversation.transfer', actor, conversationId, now, {
          fromTeam: row.team_id,
          toTeam: team.id,
          previousAssignee: row.assigned_agent_id,
        });
        return ok(conversation);
      },
    );
  }

  /**
   * Returns the agent's conversations to their teams' queues (inside the caller's transaction): all of them, or those
   * outside `keepTeams`. Each is announced and audited as a release; returns their ids.
   */
  async releaseAll(agentId: string, now: number, keepTeams: readonly string[] | null, reason: string, by: ChangedBy | undefined): Promise<string[]> {
    const rows = await this.db.all(`SELECT id FROM conversations WHERE assigned_agent_id = ? AND team_id NOT IN ${this.db.dialect.jsonList} ORDER BY id`, [
      agentId,
      JSON.stringify(keepTeams ?? []),
    ]);
    const ids = parseRows('conversations', IdRow, rows).map((r) => r.id);
    for (const id of ids) {
      await this.conversations.update(id, 'assigned_agent_id', null, now);
      await this.audit.append({
        at: now,
        action: 'conversation.release',
        actorId: by?.actorId ?? null,
        source: by?.source ?? null,
        conversationId: id,
        subjectId: agentId,
        detail: { from: agentId, to: null, reason },
      });
    }
    return ids;
  }
}
