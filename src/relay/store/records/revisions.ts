// The customer's edits and deletions: kept as they arrive (even before the message they change), applied in the
// customer's order whenever that message is stored. The original always stays in the row for the archive.
import type { MessageContent } from '../../../shared/domain';
import type { SqlDatabase } from '../sql/sql-database';
import type { ConversationRecords } from './conversations';
import type { EventLogRecords } from './event-log';
import { parseRows } from '../../../node-shared/stored-row';
import { RevisionRow, toMessage, type Edited } from './rows';

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

export class RevisionRecords {
  constructor(
    private readonly db: SqlDatabase,
    private readonly conversations: ConversationRecords,
    private readonly events: EventLogRecords,
  ) {}

  /** Keeps the revision and, if its message is already here, applies it and tells devices. Returns whether it was new. */
  async record(revision: Revision, now: number): Promise<boolean> {
    const { changes: inserted } = await this.db.run(
      'INSERT INTO message_revisions (wamid, target_wamid, kind, content, at, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (wamid) DO NOTHING',
      [revision.wamid, revision.targetWamid, revision.kind, revision.content === null ? null : JSON.stringify(revision.content), revision.at, now],
    );
    if (inserted === 0) return false;
    const target = await this.conversations.messageByWamid(revision.targetWamid);
    if (target !== undefined && (await this.apply(target.id, now))) {
      await this.events.append({ kind: 'message.updated', message: toMessage(await this.conversations.existingMessage(target.id)) }, now);
    }
    return true;
  }

  /**
   * Brings a message up to date with every revision known for it, recomputed from the original so the order of
   * arrival never matters. Only a customer's own (inbound) messages are revised. Returns whether the row changed.
   */
  async apply(messageId: string, now: number): Promise<boolean> {
    const row = await this.conversations.existingMessage(messageId);
    if (row.wamid === null || row.direction !== 'in') return false;
    // Asked for every message stored (a revision may have come first).
    const raw = await this.db.all('SELECT wamid, kind, content, at FROM message_revisions WHERE target_wamid = ? ORDER BY at, wamid', [row.wamid]);
    const revisions = parseRows('message_revisions', RevisionRow, raw);
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
    await this.db.run('UPDATE messages SET content = ?, edited = ?, deleted_at = ?, updated_at = ? WHERE id = ?', [
      next.content,
      next.edited,
      deletedAt,
      now,
      messageId,
    ]);
    return true;
  }
}
