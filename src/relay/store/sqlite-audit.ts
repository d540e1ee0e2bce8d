// The audit trail on SQLite: append-only (triggers refuse UPDATE and DELETE), read by agent, conversation and time.
import { z } from 'zod';
import type Database from 'better-sqlite3';
import { jsonColumn, parseRows } from '../../node-shared/stored-row';
import { AUDIT_ACTIONS, type AuditDetail, type AuditEntry, type AuditQuery, type AuditRecord, type ChangedBy } from './access-types';

const AuditRow = z.object({
  seq: z.number().int().positive(),
  at: z.number().int(),
  action: z.enum(AUDIT_ACTIONS),
  actor_id: z.string().nullable(),
  source: z.string().nullable(),
  conversation_id: z.string().nullable(),
  subject_id: z.string().nullable(),
  detail: jsonColumn(z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))).nullable(),
});

export class SqliteAudit {
  private readonly insertStmt;

  constructor(private readonly db: Database.Database) {
    this.insertStmt = db.prepare(
      'INSERT INTO audit (at, action, actor_id, source, conversation_id, subject_id, detail) VALUES (@at, @action, @actor, @source, @conversation, @subject, @detail)',
    );
  }

  /** Appends inside the caller's transaction, if there is one: the entry commits with the change it records. */
  append(entry: AuditEntry): void {
    this.insertStmt.run({
      at: entry.at,
      action: entry.action,
      actor: entry.actorId,
      source: entry.source === null ? null : entry.source.slice(0, 200),
      conversation: entry.conversationId ?? null,
      subject: entry.subjectId ?? null,
      detail: entry.detail === undefined || entry.detail === null ? null : JSON.stringify(entry.detail),
    });
  }

  /** An administrative change (team, number, agent): the operator at the command line is kept in the detail. */
  appendChange(action: AuditEntry['action'], subjectId: string, by: ChangedBy | undefined, at: number, detail: AuditDetail = {}): void {
    const operator = by?.operator ?? null;
    this.append({
      at,
      action,
      actorId: by?.actorId ?? null,
      source: by?.source ?? null,
      subjectId,
      detail: operator === null ? detail : { ...detail, operator },
    });
  }

  /** Oldest first. `agentId` matches entries by the agent and about them (their revocation, their new teams). */
  read(query: AuditQuery): AuditRecord[] {
    const where: string[] = ['seq > @after'];
    if (query.agentId !== undefined) where.push('(actor_id = @agent OR subject_id = @agent)');
    if (query.conversationId !== undefined) where.push('conversation_id = @conversation');
    if (query.since !== undefined) where.push('at >= @since');
    const rows = this.db.prepare(`SELECT * FROM audit WHERE ${where.join(' AND ')} ORDER BY seq LIMIT @limit`).all({
      after: query.afterSeq ?? 0,
      agent: query.agentId ?? null,
      conversation: query.conversationId ?? null,
      since: query.since ?? null,
      limit: query.limit,
    });
    return parseRows('audit', AuditRow, rows).map((r) => ({
      seq: r.seq,
      at: r.at,
      action: r.action,
      actorId: r.actor_id,
      source: r.source,
      conversationId: r.conversation_id,
      subjectId: r.subject_id,
      detail: r.detail,
    }));
  }
}
