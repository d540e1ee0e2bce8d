// The customer's edits and deletions: kept as they arrive (even before the message they change), applied in the
// customer's order whenever that message is stored. The original always stays in the row for the archive.
import type { MessageContent } from '../../shared/domain';
import type { RelayDatabase } from './relay-db';
import type { SqliteConversations } from './sqlite-conversations';
import type { SqliteEventLog } from './sqlite-event-log';
import { parseRows } from '../../node-shared/stored-row';
import { RevisionRow, toMessage, type Edited } from './sqlite-rows';

export interface Revision {
  /** The wamid of the edit or deletion notice itself: a repeated delivery is a no-op. */
  readonly wamid: string;
  readonly kind: 'edit' | 'delete';
  readonly targetWamid: string;
  /** The new version, for an edit. */
  readonly content: MessageContent | null;
  readonly at: number;
}

/** The shared model keeps at most 100 earlier versions: the original and the newest 99 (all stay in message_revisions). */
const MAX_PREVIOUS = 100;

export class SqliteRevisions {
  private readonly forTargetStmt;

  constructor(
    private readonly db: RelayDatabase,
    private readonly conversations: SqliteConversations,
    private readonly events: SqliteEventLog,
  ) {
    // Asked for every message stored (a revision may have come first): prepared once.
    this.forTargetStmt = db.prepare<[string]>('SELECT wamid, kind, content, at FROM message_revisions WHERE target_wamid = ? ORDER BY at, wamid');
  }

  /** Keeps the revision and, if its message is already here, applies it and tells devices. Returns whether it was new. */
  record(revision: Revision, now: number): boolean {
    const inserted = this.db
      .prepare('INSERT OR IGNORE INTO message_revisions (wamid, target_wamid, kind, content, at, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(revision.wamid, revision.targetWamid, revision.kind, revision.content === null ? null : JSON.stringify(revision.content), revision.at, now).changes;
    if (inserted === 0) return false;
    const target = this.conversations.messageByWamid(revision.targetWamid);
    if (target !== undefined && this.apply(target.id, now)) {
      this.events.append({ kind: 'message.updated', message: toMessage(this.conversations.existingMessage(target.id)) }, now);
    }
    return true;
  }

  /**
   * Brings a message up to date with every revision known for it, recomputed from the original so the order of
   * arrival never matters. Only a customer's own (inbound) messages are revised. Returns whether the row changed.
   */
  apply(messageId: string, now: number): boolean {
    const row = this.conversations.existingMessage(messageId);
    if (row.wamid === null || row.direction !== 'in') return false;
    const revisions = parseRows('message_revisions', RevisionRow, this.forTargetStmt.all(row.wamid));
    if (revisions.length === 0) return false;

    const original = row.edited?.previous[0] ?? row.content;
    const edits = revisions.flatMap((r) => (r.kind === 'edit' && r.content !== null ? [{ at: r.at, content: r.content }] : []));
    const versions = [original, ...edits.map((e) => e.content)];
    const content = versions.at(-1) ?? original;
    const earlier = versions.slice(0, -1);
    const previous = earlier.length > MAX_PREVIOUS ? [original, ...earlier.slice(-(MAX_PREVIOUS - 1))] : earlier;
    const lastEdit = edits.at(-1);
    const edited: Edited | null = lastEdit === undefined ? null : { at: lastEdit.at, previous };
    const deletedAt = revisions.find((r) => r.kind === 'delete')?.at ?? null;

    const next = { content: JSON.stringify(content), edited: edited === null ? null : JSON.stringify(edited) };
    const same =
      next.content === JSON.stringify(row.content) && next.edited === (row.edited === null ? null : JSON.stringify(row.edited)) && deletedAt === row.deleted_at;
    if (same) return false;
    this.db
      .prepare('UPDATE messages SET content = ?, edited = ?, deleted_at = ?, updated_at = ? WHERE id = ?')
      .run(next.content, next.edited, deletedAt, now, messageId);
    return true;
  }
}
