// Who works a conversation: assignment and take-over, release, transfer between teams, case links and
// read marks, each checked against the actor's rights inside its own transaction and written to the audit trail.
import type { Conversation } from '../../../shared/domain';
import { fail, ok, type AppError, type Result } from '../../../shared/errors';
import { assignRefusal, transferRefusal, transferTarget, workRefusal, type WorkedConversation } from '../../domain/work-refusals';
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

/** What the need-to-know rules (domain/work-refusals.ts) need of a conversation row. */
export function workedConversation(row: ConversationRow): WorkedConversation {
  return { team: { id: row.team_id, name: row.team_name }, assignedAgentId: row.assigned_agent_id, assigneeName: row.assignee_name };
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
      (agent, row) => workRefusal(agent, workedConversation(row), 'markRead'),
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
      (agent, row) => workRefusal(agent, workedConversation(row), 'linkCase'),
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
      // The agent named is read first, so the rule decides on what the store holds now, in this transaction.
      async (agent, row) => {
        const target = agentId === null || agent === null ? null : await this.memberships.access(agentId);
        return assignRefusal(agent, workedConversation(row), { agentId, takeOver }, target);
      },
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

  /**
   * To another team, unassigned. The old team hears `conversation.removed` (not agents also in the new team), the new
   * team the conversation as it now stands; their consoles fetch its history.
   */
  async transfer(conversationId: string, teamId: string, now: number, actor?: Actor): Promise<Result<Conversation>> {
    return this.work(
      conversationId,
      actor,
      (agent, row) => transferRefusal(agent, workedConversation(row)),
      async (row) => {
        const target = transferTarget(workedConversation(row), teamId, await this.teams.team(teamId));
        if (!target.ok) return target;
        const team = target.value;
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
