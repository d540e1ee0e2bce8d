// Two conversations of one person become one: history, queued sends, assignment and window move to the one kept.
import type { RelayDatabase } from './relay-db';
import type { SqliteConversations } from './sqlite-conversations';
import type { SqliteEventLog } from './sqlite-event-log';
import { parseRows } from '../../node-shared/stored-row';
import { MESSAGE_SELECT, MessageRow, toMessage } from './sqlite-rows';

const later = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.max(a, b));

/**
 * Moves everything of conversation `dropId` into `keepId` and deletes it. Devices hear, in this order: the kept
 * conversation as it now stands, each moved message under its new conversation (`message.updated`), and
 * `conversation.removed` {dropId, mergedInto: keepId}, so a console that drops the removed one loses nothing.
 */
export function mergeConversation(
  db: RelayDatabase,
  conversations: SqliteConversations,
  events: SqliteEventLog,
  keepId: string,
  dropId: string,
  now: number,
): void {
  if (keepId === dropId) return;
  const keep = conversations.existing(keepId);
  const drop = conversations.existing(dropId);
  const moved = parseRows('messages', MessageRow, db.prepare(`${MESSAGE_SELECT} WHERE m.conversation_id = ? ORDER BY m.created_at, m.id`).all(dropId));
  db.prepare('UPDATE messages SET conversation_id = ? WHERE conversation_id = ?').run(keepId, dropId);
  // Queued sends keep their queued_seq, so the merged queue still drains in the order agents pressed Send.
  db.prepare('UPDATE outbound_jobs SET conversation_id = ? WHERE conversation_id = ?').run(keepId, dropId);
  db.prepare(
    `UPDATE conversations SET assigned_agent_id = ?, case_id = ?, last_inbound_at = ?, read_up_to = ?, last_message_at = ?,
     created_at = ?, updated_at = ? WHERE id = ?`,
  ).run(
    keep.assigned_agent_id ?? drop.assigned_agent_id,
    keep.case_id ?? drop.case_id,
    later(keep.last_inbound_at, drop.last_inbound_at),
    later(keep.read_up_to, drop.read_up_to),
    Math.max(keep.last_message_at, drop.last_message_at),
    Math.min(keep.created_at, drop.created_at),
    now,
    keepId,
  );
  db.prepare('DELETE FROM conversations WHERE id = ?').run(dropId);
  conversations.emit(keepId, now);
  for (const row of moved) events.append({ kind: 'message.updated', message: toMessage({ ...row, conversation_id: keepId }) }, now);
  // The dropped row is gone: its team, read before, is told (a merge never changes the kept one's team).
  events.append({ kind: 'conversation.removed', conversationId: dropId, mergedInto: keepId }, now, { teamId: drop.team_id });
}
