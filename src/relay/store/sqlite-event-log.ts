// The event log on SQLite: gap-free seqs that devices resume from, each event with its audience (a team, and a team
// not to tell), and the meta values kept beside them.
import { z } from 'zod';
import type { RelayEvent } from '../../shared/protocol-events';
import type { RelayDatabase } from './relay-db';
import type { Audience, AudienceRead, StoredEvent } from './relay-store';
import { parseRow, parseRowIfAny, parseRows } from '../../node-shared/stored-row';
import { EventRow } from './sqlite-rows';

const Seq = z.object({ seq: z.number().int().nullable() });
const MetaValue = z.object({ value: z.string() });
const TeamOf = z.object({ team_id: z.string() });

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

export class SqliteEventLog {
  private readonly appendStmt;
  private readonly teamOfStmt;
  private readonly forTeamStmt;

  constructor(private readonly db: RelayDatabase) {
    this.appendStmt = db.prepare<[string, string, number, string, string | null]>(
      'INSERT INTO events (kind, payload, created_at, team_id, unless_team_id) VALUES (?, ?, ?, ?, ?)',
    );
    this.teamOfStmt = db.prepare<[string]>('SELECT team_id FROM conversations WHERE id = ?');
    // Served by events_by_team (team_id, seq): one index range per team, whatever other teams wrote.
    this.forTeamStmt = db.prepare<[string, number, number]>(
      'SELECT seq, payload, unless_team_id FROM events WHERE team_id = ? AND seq > ? ORDER BY seq LIMIT ?',
    );
  }

  /**
   * Appends inside the caller's transaction; returns the event's seq. The audience is the team of the conversation the
   * event is about, as it stands in this transaction, unless given (a removal after the row is gone, a transfer).
   */
  append(event: RelayEvent, now: number, audience?: Audience): number {
    const to = audience ?? { teamId: this.teamOf(event) };
    return Number(this.appendStmt.run(event.kind, JSON.stringify(event), now, to.teamId, to.unlessTeamId ?? null).lastInsertRowid);
  }

  private teamOf(event: RelayEvent): string {
    const conversationId = conversationOf(event);
    const row = conversationId === null ? undefined : parseRowIfAny('conversations', TeamOf, this.teamOfStmt.get(conversationId));
    if (row === undefined) throw new Error(`event ${event.kind} names no stored conversation: its audience must be given`);
    return row.team_id;
  }

  /** The last seq ever handed out, even if pruned: AUTOINCREMENT never reuses one. */
  head(): number {
    const row = this.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'").get();
    return row === undefined ? 0 : (parseRow('sqlite_sequence', Seq, row).seq ?? 0);
  }

  oldest(): number {
    const row = parseRow('events', Seq, this.db.prepare('SELECT min(seq) AS seq FROM events').get());
    return row.seq ?? this.head() + 1;
  }

  read(afterSeq: number, limit: number): StoredEvent[] {
    const rows = this.db.prepare('SELECT seq, payload FROM events WHERE seq > ? ORDER BY seq LIMIT ?').all(afterSeq, limit);
    return parseRows('events', EventRow, rows).map((r) => ({ seq: r.seq, json: r.payload }));
  }

  /**
   * The first `limit` events after `afterSeq` for these teams: each team's own first `limit` (an index range), merged.
   * One read transaction, so the head and the events are of the same moment. The answer is complete up to the head,
   * unless a team's range was cut by the limit (then only up to its last row) or the merge was (up to its last event).
   */
  readFor(teamIds: readonly string[], afterSeq: number, limit: number): AudienceRead {
    return this.db.transaction((): AudienceRead => {
      let throughSeq = this.head();
      const teams = new Set(teamIds);
      const found: StoredEvent[] = [];
      for (const team of teams) {
        const rows = parseRows('events', AudienceRow, this.forTeamStmt.all(team, afterSeq, limit));
        if (rows.length === limit) throughSeq = Math.min(throughSeq, rows.at(-1)!.seq);
        // A transfer's removal is not for agents who are also in the team the conversation went to.
        for (const row of rows) if (row.unless_team_id === null || !teams.has(row.unless_team_id)) found.push({ seq: row.seq, json: row.payload });
      }
      found.sort((a, b) => a.seq - b.seq);
      const events = found.filter((e) => e.seq <= throughSeq).slice(0, limit);
      if (events.length === limit) throughSeq = events.at(-1)!.seq;
      return { events, throughSeq };
    })();
  }

  prune(keepLast: number): number {
    return this.db.prepare('DELETE FROM events WHERE seq <= ?').run(this.head() - keepLast).changes;
  }

  getOrCreateMeta(key: string, create: () => string): string {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key);
    if (row !== undefined) return parseRow('meta', MetaValue, row).value;
    const value = create();
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run(key, value);
    return value;
  }
}

const AudienceRow = EventRow.extend({ unless_team_id: z.string().nullable() });
