// The event log on SQLite: gap-free seqs that devices resume from, and the meta values kept beside them.
import { z } from 'zod';
import type { RelayEvent } from '../../shared/protocol-events';
import type { RelayDatabase } from './relay-db';
import type { StoredEvent } from './relay-store';
import { parseRow, parseRows } from '../../node-shared/stored-row';
import { EventRow } from './sqlite-rows';

const Seq = z.object({ seq: z.number().int().nullable() });
const MetaValue = z.object({ value: z.string() });

export class SqliteEventLog {
  private readonly appendStmt;

  constructor(private readonly db: RelayDatabase) {
    this.appendStmt = db.prepare<[string, string, number]>('INSERT INTO events (kind, payload, created_at) VALUES (?, ?, ?)');
  }

  /** Appends inside the caller's transaction; returns the event's seq. */
  append(event: RelayEvent, now: number): number {
    return Number(this.appendStmt.run(event.kind, JSON.stringify(event), now).lastInsertRowid);
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
