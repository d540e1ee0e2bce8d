// Two conversations of one person become one: history, queued sends, assignment and window move to the one kept.
import type { SqlDatabase } from '../sql/sql-database';
import type { ConversationRecords } from './conversations';
import type { EventLogRecords } from './event-log';
import { parseRows } from '../../../node-shared/stored-row';
import { MESSAGE_SELECT, MessageRow, toMessage } from './rows';

const later = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.max(a, b));

/**
 * Moves everything of conversation `dropId` into `keepId` and deletes it. Devices hear, in this order: the kept
 * conversation as it now stands, each moved message under its new conversation (`message.updated`), and
 * `conversation.removed` {dropId, mergedInto: keepId}, so a console that drops the removed one loses nothing.
 */
export async function mergeConversation(
  db: SqlDatabase,
  conversations: ConversationRecords,
  events: EventLogRecords,
  keepId: string,
  dropId: string,
  now: number,
): Promise<void> {
  if (keepId === dropId) return;
  const keep = await conversations.existing(keepId);
  const drop = await conversations.existing(dropId);
  const moved = parseRows('messages', MessageRow, await db.all(`${MESSAGE_SELECT} WHERE m.conversation_id = ? ORDER BY m.created_at, m.id`, [dropId]));
  await db.run('UPDATE messages SET conversation_id = ? WHERE conversation_id = ?', [keepId, dropId]);
  // Queued sends keep their queued_seq, so the merged queue still drains in the order agents pressed Send.
  await db.run('UPDATE outbound_jobs SET conversation_id = ? WHERE conversation_id = ?', [keepId, dropId]);
  await db.run(
    `UPDATE conversations SET assigned_agent_id = ?, case_id = ?, last_inbound_at = ?, read_up_to = ?, last_message_at = ?,
     created_at = ?, updated_at = ? WHERE id = ?`,
    [
      keep.assigned_agent_id ?? drop.assigned_agent_id,
      keep.case_id ?? drop.case_id,
      later(keep.last_inbound_at, drop.last_inbound_at),
      later(keep.read_up_to, drop.read_up_to),
      Math.max(keep.last_message_at, drop.last_message_at),
      Math.min(keep.created_at, drop.created_at),
      now,
      keepId,
    ],
  );
  await db.run('DELETE FROM conversations WHERE id = ?', [dropId]);
  await conversations.emit(keepId, now);
  for (const row of moved) await events.append({ kind: 'message.updated', message: toMessage({ ...row, conversation_id: keepId }) }, now);
  // The dropped row is gone: its team, read before, is told (a merge never changes the kept one's team).
  await events.append({ kind: 'conversation.removed', conversationId: dropId, mergedInto: keepId }, now, { teamId: drop.team_id });
}
