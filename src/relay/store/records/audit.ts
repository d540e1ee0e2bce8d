// The audit trail: append-only (the database refuses UPDATE and DELETE), read by agent, conversation and time.
import { z } from 'zod';
import { jsonColumn, parseRows } from '../../../node-shared/stored-row';
import { AUDIT_ACTIONS, type AuditDetail, type AuditEntry, type AuditQuery, type AuditRecord, type ChangedBy } from '../access-types';
import type { SqlDatabase, SqlValue } from '../sql/sql-database';

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

/** One entry's INSERT: shared with the SQLite opener, which audits the configured number before any store exists. */
export const AUDIT_INSERT = 'INSERT INTO audit (at, action, actor_id, source, conversation_id, subject_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?)';

export function auditValues(entry: AuditEntry): SqlValue[] {
  return [
    entry.at,
    entry.action,
    entry.actorId,
    entry.source === null ? null : entry.source.slice(0, 200),
    entry.conversationId ?? null,
    entry.subjectId ?? null,
    entry.detail === undefined || entry.detail === null ? null : JSON.stringify(entry.detail),
  ];
}

/** An administrative change (team, number, agent): the operator at the command line is kept in the detail. */
export function changeEntry(action: AuditEntry['action'], subjectId: string, by: ChangedBy | undefined, at: number, detail: AuditDetail = {}): AuditEntry {
  const operator = by?.operator ?? null;
  return {
    at,
    action,
    actorId: by?.actorId ?? null,
    source: by?.source ?? null,
    subjectId,
    detail: operator === null ? detail : { ...detail, operator },
  };
}

export class AuditRecords {
  constructor(private readonly db: SqlDatabase) {}

  /** Appends inside the caller's transaction, if there is one: the entry commits with the change it records. */
  async append(entry: AuditEntry): Promise<void> {
    await this.db.run(AUDIT_INSERT, auditValues(entry));
  }

  async appendChange(action: AuditEntry['action'], subjectId: string, by: ChangedBy | undefined, at: number, detail: AuditDetail = {}): Promise<void> {
    await this.append(changeEntry(action, subjectId, by, at, detail));
  }

  /** Oldest first. `agentId` matches entries by the agent and about them (their revocation, their new teams). */
  async read(query: AuditQuery): Promise<AuditRecord[]> {
    const where: string[] = ['seq > ?'];
    const params: SqlValue[] = [query.afterSeq ?? 0];
    if (query.agentId !== undefined) {
      where.push('(actor_id = ? OR subject_id = ?)');
      params.push(query.agentId, query.agentId);
    }
    if (query.conversationId !== undefined) {
      where.push('conversation_id = ?');
      params.push(query.conversationId);
    }
    if (query.since !== undefined) {
      where.push('at >= ?');
      params.push(query.since);
    }
    const rows = await this.db.all(`SELECT * FROM audit WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ?`, [...params, query.limit]);
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
