// The event log: gap-free seqs that devices resume from, each event with its audience (a team, and a team not to
// tell), and the meta values kept beside them.
import { z } from 'zod';
import type { RelayEvent } from '../../../shared/protocol-events';
import type { SqlDatabase } from '../sql/sql-database';
import type { Audience, AudienceRead, StoredEvent } from '../relay-store';
import { parseRow, parseRowIfAny, parseRows } from '../../../node-shared/stored-row';
import { EventRow } from './rows';

const Seq = z.object({ seq: z.number().int().nullable() });
const NewSeq = z.object({ seq: z.number().int().positive() });
const MetaValue = z.object({ value: z.string() });
const TeamOf = z.object({ team_id: z.string() });
const AudienceRow = EventRow.extend({ unless_team_id: z.string().nullable() });

/**
 * The PostgreSQL channel every append notifies at commit, so instances other than the writer wake their devices and
 * dispatcher within milliseconds. Only a wake-up: the log stays the truth, and a lost notification is found by the
 * one-second look at the head (session-hub.ts). The empty payload lets PostgreSQL fold a transaction's appends into one.
 */
export const EVENTS_CHANNEL = 'branchline_events';

/** Meta key: the highest seq ever pruned, so the head survives a prune that emptied the log (seqs are never reused). */
const PRUNED_THROUGH = 'events.pruned_through';

/** The conversation an event is about: its team is the event's audience unless the caller names another. */
function conversationOf(event: RelayEvent): string | null {
  switch (event.kind) {
    case 'message.created':
    case 'message.updated':
      return event.message.conversationId;
    case 'message.status':
    case 'conversation.removed':
      return event.conversationId;
    case 'conversation.upserted':
      return event.conversation.id;
    case 'events.skipped':
      return null;
  }
}

export class EventLogRecords {
  constructor(private readonly db: SqlDatabase) {}

  /**
   * Appends inside the caller's transaction; returns the event's seq. The audience is the team of the conversation the
   * event is about, as it stands in this transaction, unless given (a removal after the row is gone, a transfer).
   */
  async append(event: RelayEvent, now: number, audience?: Audience): Promise<number> {
    const to = audience ?? { teamId: await this.teamOf(event) };
    const row = await this.db.get('INSERT INTO events (kind, payload, created_at, team_id, unless_team_id) VALUES (?, ?, ?, ?, ?) RETURNING seq', [
      event.kind,
      JSON.stringify(event),
      now,
      to.teamId,
      to.unlessTeamId ?? null,
    ]);
    // Delivered when the caller's transaction commits, and not at all if it rolls back. SQLite: one process, no one to tell.
    if (this.db.dialect.name === 'postgres') await this.db.run(`SELECT pg_notify('${EVENTS_CHANNEL}', '')`);
    return parseRow('events', NewSeq, row).seq;
  }

  private async teamOf(event: RelayEvent): Promise<string> {
    const conversationId = conversationOf(event);
    const row =
      conversationId === null
        ? undefined
        : parseRowIfAny('conversations', TeamOf, await this.db.get('SELECT team_id FROM conversations WHERE id = ?', [conversationId]));
    if (row === undefined) throw new Error(`event ${event.kind} names no stored conversation: its audience must be given`);
    return row.team_id;
  }

  /**
   * The last seq ever handed out, even if pruned: the newest event, or what a prune that emptied the log removed. Both
   * lookups are index reads (the primary key, the meta key), in SQL both databases accept.
   */
  async head(): Promise<number> {
    const row = await this.db.get(
      `SELECT greatest((SELECT max(seq) FROM events), (SELECT CAST(value AS BIGINT) FROM meta WHERE key = '${PRUNED_THROUGH}')) AS seq`,
    );
    return parseRow('events', Seq, row).seq ?? 0;
  }

  async oldest(): Promise<number> {
    const row = parseRow('events', Seq, await this.db.get('SELECT min(seq) AS seq FROM events'));
    return row.seq ?? (await this.head()) + 1;
  }

  async read(afterSeq: number, limit: number): Promise<StoredEvent[]> {
    const rows = await this.db.all('SELECT seq, payload FROM events WHERE seq > ? ORDER BY seq LIMIT ?', [afterSeq, limit]);
    return parseRows('events', EventRow, rows).map((r) => ({ seq: r.seq, json: r.payload }));
  }

  /**
   * The first `limit` events after `afterSeq` for these teams: each team's own first `limit` (an index range), merged.
   * One transaction, so the head and the events are of the same moment. The answer is complete up to the head,
   * unless a team's range was cut by the limit (then only up to its last row) or the merge was (up to its last event).
   */
  async readFor(teamIds: readonly string[], afterSeq: number, limit: number): Promise<AudienceRead> {
    return this.db.transaction(async (): Promise<AudienceRead> => {
      let throughSeq = await this.head();
      const teams = new Set(teamIds);
      const found: StoredEvent[] = [];
      for (const team of teams) {
        // Served by events_by_team (team_id, seq): one index range per team, whatever other teams wrote.
        const raw = await this.db.all('SELECT seq, payload, unless_team_id FROM events WHERE team_id = ? AND seq > ? ORDER BY seq LIMIT ?', [
          team,
          afterSeq,
          limit,
        ]);
        const rows = parseRows('events', AudienceRow, raw);
        if (rows.length === limit) throughSeq = Math.min(throughSeq, rows.at(-1)!.seq);
        // A transfer's removal is not for agents who are also in the team the conversation went to.
        for (const row of rows) if (row.unless_team_id === null || !teams.has(row.unless_team_id)) found.push({ seq: row.seq, json: row.payload });
      }
      found.sort((a, b) => a.seq - b.seq);
      const events = found.filter((e) => e.seq <= throughSeq).slice(0, limit);
      if (events.length === limit) throughSeq = events.at(-1)!.seq;
      return { events, throughSeq };
    });
  }

  async prune(keepLast: number): Promise<number> {
    return this.db.transaction(async () => {
      const cut = (await this.head()) - keepLast;
      const removed = (await this.db.run('DELETE FROM events WHERE seq <= ?', [cut])).changes;
      if (removed > 0) {
        await this.db.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [PRUNED_THROUGH, String(cut)]);
      }
      return removed;
    });
  }

  /** The value kept under `key`, created once (several relays starting together agree on the first one written). */
  async getOrCreateMeta(key: string, create: () => string): Promise<string> {
    return this.db.transaction(async () => {
      const row = await this.db.get('SELECT value FROM meta WHERE key = ?', [key]);
      if (row !== undefined) return parseRow('meta', MetaValue, row).value;
      const value = create();
      await this.db.run('INSERT INTO meta (key, value) VALUES (?, ?)', [key, value]);
      return value;
    });
  }
}
