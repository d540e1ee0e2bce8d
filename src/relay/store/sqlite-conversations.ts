// Conversations and their messages on SQLite: lookups, status merges, and the agent requests that change them.
import type { Conversation, Message, MessageStatus, SendFailure } from '../../shared/domain';
import { uuidv7 } from '../../shared/uuidv7';
import { fail, ok, type Result } from '../../shared/errors';
import { mergeStatus, statusAdvances } from '../../shared/status-merge';
import type { RelayDatabase } from './relay-db';
import type { Page } from './relay-store';
import type { SqliteEventLog } from './sqlite-event-log';
import { parseRow, parseRowIfAny, parseRows } from '../../node-shared/stored-row';
import {
  CONVERSATION_SELECT,
  ConversationRow,
  Count,
  IdRow,
  decodeCursor,
  encodeCursor,
  MESSAGE_SELECT,
  MessageRow,
  toConversation,
  toMessage,
} from './sqlite-rows';
import { MAIN_TEAM } from './migration-3-teams';

/** Who a new conversation is with: a customer (by the customers table's id) or a WhatsApp group. */
export type Counterpart = { readonly customerId: string } | { readonly groupId: string };

export class SqliteConversations {
  private readonly byIdStmt;
  private readonly forCustomerStmt;
  private readonly forGroupStmt;
  private readonly messageByIdStmt;
  private readonly messageByWamidStmt;

  constructor(
    private readonly db: RelayDatabase,
    private readonly events: SqliteEventLog,
  ) {
    this.byIdStmt = db.prepare<[string]>(`${CONVERSATION_SELECT} WHERE c.id = ?`);
    this.forCustomerStmt = db.prepare<[string, string]>(`${CONVERSATION_SELECT} WHERE c.phone_number_id = ? AND c.customer_id = ?`);
    this.forGroupStmt = db.prepare<[string, string]>(`${CONVERSATION_SELECT} WHERE c.phone_number_id = ? AND c.group_id = ?`);
    this.messageByIdStmt = db.prepare<[string]>(`${MESSAGE_SELECT} WHERE m.id = ?`);
    this.messageByWamidStmt = db.prepare<[string]>(`${MESSAGE_SELECT} WHERE m.wamid = ?`);
  }

  /** The conversations with these ids as they are now (unknown ids left out), in one query. */
  many(ids: readonly string[]): Conversation[] {
    if (ids.length === 0) return [];
    const rows = this.db.prepare(`${CONVERSATION_SELECT} WHERE c.id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(ids));
    return parseRows('conversations', ConversationRow, rows).map(toConversation);
  }

  byId(id: string): ConversationRow | undefined {
    return parseRowIfAny('conversations', ConversationRow, this.byIdStmt.get(id));
  }

  /** The conversation between our number `phoneNumberId` and this customer or group, if there is one. */
  find(phoneNumberId: string, counterpart: Counterpart): ConversationRow | undefined {
    const row =
      'customerId' in counterpart ? this.forCustomerStmt.get(phoneNumberId, counterpart.customerId) : this.forGroupStmt.get(phoneNumberId, counterpart.groupId);
    return parseRowIfAny('conversations', ConversationRow, row);
  }

  /** The conversation, created (empty, nobody assigned, in its number's team) if there was none yet. */
  findOrCreate(phoneNumberId: string, counterpart: Counterpart, at: number, now: number): ConversationRow {
    const known = this.find(phoneNumberId, counterpart);
    if (known !== undefined) return known;
    const id = uuidv7();
    // A number no team answers (the webhook keeps none, but a send may name one) is main's, as before teams.
    this.db
      .prepare(
        `INSERT INTO conversations (id, phone_number_id, customer_id, group_id, last_message_at, created_at, updated_at, team_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, coalesce((SELECT team_id FROM numbers WHERE phone_number_id = ?), ?))`,
      )
      .run(
        id,
        phoneNumberId,
        'customerId' in counterpart ? counterpart.customerId : null,
        'groupId' in counterpart ? counterpart.groupId : null,
        at,
        now,
        now,
        phoneNumberId,
        MAIN_TEAM.id,
      );
    return this.existing(id);
  }

  /** Every conversation (on any of our numbers) with this customer. */
  idsOfCustomer(customerId: string): string[] {
    return parseRows('conversations', IdRow, this.db.prepare('SELECT id FROM conversations WHERE customer_id = ?').all(customerId)).map((row) => row.id);
  }

  /** A conversation the caller has just written: its absence is a bug, not a lookup miss. */
  existing(id: string): ConversationRow {
    const row = this.byId(id);
    if (row === undefined) throw new Error(`conversation ${id} vanished inside its own transaction`);
    return row;
  }

  messageById(id: string): MessageRow | undefined {
    return parseRowIfAny('messages', MessageRow, this.messageByIdStmt.get(id));
  }

  messageByWamid(wamid: string): MessageRow | undefined {
    return parseRowIfAny('messages', MessageRow, this.messageByWamidStmt.get(wamid));
  }

  existingMessage(id: string): MessageRow {
    const row = this.messageById(id);
    if (row === undefined) throw new Error(`message ${id} vanished inside its own transaction`);
    return row;
  }

  /** Appends the conversation as it now stands, for every device. */
  emit(id: string, now: number): Conversation {
    const conversation = toConversation(this.existing(id));
    this.events.append({ kind: 'conversation.upserted', conversation }, now);
    return conversation;
  }

  /** Merges a status into a message (monotonic: a late "delivered" never undoes "read"); returns whether it changed. */
  mergeMessageStatus(messageId: string, incoming: MessageStatus, failure: SendFailure | null, now: number): boolean {
    const row = this.existingMessage(messageId);
    if (!statusAdvances(row.status, incoming)) return false;
    const status = mergeStatus(row.status, incoming);
    const storedFailure = status === 'failed' ? failure : null;
    this.db
      .prepare('UPDATE messages SET status = ?, failure = ?, updated_at = ? WHERE id = ?')
      .run(status, storedFailure === null ? null : JSON.stringify(storedFailure), now, messageId);
    this.events.append({ kind: 'message.status', messageId, conversationId: row.conversation_id, status, failure: storedFailure, at: now }, now);
    return true;
  }

  markRead(conversationId: string, upToMessageId: string, now: number): Result<{ conversation: Conversation; wamid: string | null; phoneNumberId: string }> {
    return this.db.transaction((): Result<{ conversation: Conversation; wamid: string | null; phoneNumberId: string }> => {
      const message = this.messageById(upToMessageId);
      if (message === undefined || message.conversation_id !== conversationId) return fail('not_found', 'message not found in this conversation');
      if (message.direction !== 'in') return fail('invalid_input', 'only inbound messages can be marked read');
      this.db
        .prepare('UPDATE conversations SET read_up_to = max(coalesce(read_up_to, 0), ?), updated_at = ? WHERE id = ?')
        .run(message.created_at, now, conversationId);
      // Meta's Groups API has no read receipts: in a group the read pointer is ours alone.
      const row = this.existing(conversationId);
      return ok({ conversation: this.emit(conversationId, now), wamid: row.group_id !== null ? null : message.wamid, phoneNumberId: row.phone_number_id });
    })();
  }

  update(id: string, column: 'case_id' | 'assigned_agent_id', value: string | null, now: number): Result<Conversation> {
    return this.db.transaction((): Result<Conversation> => {
      const changes = this.db.prepare(`UPDATE conversations SET ${column} = ?, updated_at = ? WHERE id = ?`).run(value, now, id).changes;
      if (changes === 0) return fail('not_found', 'conversation not found');
      return ok(this.emit(id, now));
    })();
  }

  /** Newest activity first; `teamIds` given, only those teams' conversations (each team an index range of its own). */
  list(cursor: string | undefined, limit: number, teamIds?: readonly string[]): Result<Page<Conversation> & { total: number; head: number }> {
    const after = cursor === undefined ? null : decodeCursor(cursor);
    if (cursor !== undefined && after === null) return fail('invalid_input', 'cursor is not one this relay issued');
    const teams = teamIds === undefined ? null : JSON.stringify([...new Set(teamIds)]);
    const inTeams = teams === null ? '1' : 'c.team_id IN (SELECT value FROM json_each(@teams))';
    const afterCursor = after === null ? '1' : '(c.last_message_at < @time OR (c.last_message_at = @time AND c.id < @id))';
    return this.db.transaction(() => {
      const head = this.events.head();
      const raw = this.db
        .prepare(`${CONVERSATION_SELECT} WHERE ${inTeams} AND ${afterCursor} ORDER BY c.last_message_at DESC, c.id DESC LIMIT @limit`)
        .all({ teams, time: after?.time ?? null, id: after?.id ?? null, limit: limit + 1 });
      const rows = parseRows('conversations', ConversationRow, raw);
      const total = parseRow('conversations', Count, this.db.prepare(`SELECT count(*) AS n FROM conversations c WHERE ${inTeams}`).get({ teams })).n;
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      const nextCursor = rows.length > limit && last !== undefined ? encodeCursor(last.last_message_at, last.id) : null;
      return ok({ items: page.map(toConversation), nextCursor, total, head });
    })();
  }

  history(conversationId: string, cursor: string | undefined, limit: number): Result<Page<Message>> {
    if (this.byId(conversationId) === undefined) return fail('not_found', 'conversation not found');
    const before = cursor === undefined ? null : decodeCursor(cursor);
    if (cursor !== undefined && before === null) return fail('invalid_input', 'cursor is not one this relay issued');
    const raw =
      before === null
        ? this.db.prepare(`${MESSAGE_SELECT} WHERE m.conversation_id = ? ORDER BY m.created_at DESC, m.id DESC LIMIT ?`).all(conversationId, limit + 1)
        : this.db
            .prepare(
              `${MESSAGE_SELECT} WHERE m.conversation_id = ? AND (m.created_at < ? OR (m.created_at = ? AND m.id < ?))
               ORDER BY m.created_at DESC, m.id DESC LIMIT ?`,
            )
            .all(conversationId, before.time, before.time, before.id, limit + 1);
    const rows = parseRows('messages', MessageRow, raw);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return ok({ items: page.map(toMessage), nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last.created_at, last.id) : null });
  }
}
