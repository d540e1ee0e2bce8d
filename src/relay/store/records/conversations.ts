// Conversations and their messages: lookups, status merges, and the agent requests that change them.
import type { Conversation, Message, MessageStatus, SendFailure } from '../../../shared/domain';
import { uuidv7 } from '../../../shared/uuidv7';
import { fail, ok, type Result } from '../../../shared/errors';
import { statusChange } from '../../domain/status-rules';
import type { SqlDatabase } from '../sql/sql-database';
import type { Page } from '../relay-store';
import type { EventLogRecords } from './event-log';
import { parseRow, parseRowIfAny, parseRows } from '../../../node-shared/stored-row';
import { CONVERSATION_SELECT, ConversationRow, Count, IdRow, decodeCursor, encodeCursor, MESSAGE_SELECT, MessageRow, toConversation, toMessage } from './rows';
import { MAIN_TEAM } from '../migration-3-teams';

/** Who a new conversation is with: a customer (by the customers table's id) or a WhatsApp group. */
export type Counterpart = { readonly customerId: string } | { readonly groupId: string };

export class ConversationRecords {
  constructor(
    private readonly db: SqlDatabase,
    private readonly events: EventLogRecords,
  ) {}

  /** The conversations with these ids as they are now (unknown ids left out), in one query. */
  async many(ids: readonly string[]): Promise<Conversation[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.all(`${CONVERSATION_SELECT} WHERE c.id IN ${this.db.dialect.jsonList}`, [JSON.stringify(ids)]);
    return parseRows('conversations', ConversationRow, rows).map(toConversation);
  }

  async byId(id: string): Promise<ConversationRow | undefined> {
    return parseRowIfAny('conversations', ConversationRow, await this.db.get(`${CONVERSATION_SELECT} WHERE c.id = ?`, [id]));
  }

  /** The conversation between our number `phoneNumberId` and this customer or group, if there is one. */
  async find(phoneNumberId: string, counterpart: Counterpart): Promise<ConversationRow | undefined> {
    const row =
      'customerId' in counterpart
        ? await this.db.get(`${CONVERSATION_SELECT} WHERE c.phone_number_id = ? AND c.customer_id = ?`, [phoneNumberId, counterpart.customerId])
        : await this.db.get(`${CONVERSATION_SELECT} WHERE c.phone_number_id = ? AND c.group_id = ?`, [phoneNumberId, counterpart.groupId]);
    return parseRowIfAny('conversations', ConversationRow, row);
  }

  /** The conversation, created (empty, nobody assigned, in its number's team) if there was none yet. */
  async findOrCreate(phoneNumberId: string, counterpart: Counterpart, at: number, now: number): Promise<ConversationRow> {
    const known = await this.find(phoneNumberId, counterpart);
    if (known !== undefined) return known;
    const id = uuidv7();
    // A number no team answers (the webhook keeps none, but a send may name one) is main's, as before teams.
    await this.db.run(
      `INSERT INTO conversations (id, phone_number_id, customer_id, group_id, last_message_at, created_at, updated_at, team_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, coalesce((SELECT team_id FROM numbers WHERE phone_number_id = ?), ?))`,
      [
        id,
        phoneNumberId,
        'customerId' in counterpart ? counterpart.customerId : null,
        'groupId' in counterpart ? counterpart.groupId : null,
        at,
        now,
        now,
        phoneNumberId,
        MAIN_TEAM.id,
      ],
    );
    return this.existing(id);
  }

  /** Every conversation (on any of our numbers) with this customer. */
  async idsOfCustomer(customerId: string): Promise<string[]> {
    return parseRows('conversations', IdRow, await this.db.all('SELECT id FROM conversations WHERE customer_id = ?', [customerId])).map((row) => row.id);
  }

  /** A conversation the caller has just written: its absence is a bug, not a lookup miss. */
  async existing(id: string): Promise<ConversationRow> {
    const row = await this.byId(id);
    if (row === undefined) throw new Error(`conversation ${id} vanished inside its own transaction`);
    return row;
  }

  async messageById(id: string): Promise<MessageRow | undefined> {
    return parseRowIfAny('messages', MessageRow, await this.db.get(`${MESSAGE_SELECT} WHERE m.id = ?`, [id]));
  }

  async messageByWamid(wamid: string): Promise<MessageRow | undefined> {
    return parseRowIfAny('messages', MessageRow, await this.db.get(`${MESSAGE_SELECT} WHERE m.wamid = ?`, [wamid]));
  }

  async existingMessage(id: string): Promise<MessageRow> {
    const row = await this.messageById(id);
    if (row === undefined) throw new Error(`message ${id} vanished inside its own transaction`);
    return row;
  }

  /** Appends the conversation as it now stands, for every device. */
  async emit(id: string, now: number): Promise<Conversation> {
    const conversation = toConversation(await this.existing(id));
    await this.events.append({ kind: 'conversation.upserted', conversation }, now);
    return conversation;
  }

  /** Merges a status into a message (monotonic: a late "delivered" never undoes "read"); returns whether it changed. */
  async mergeMessageStatus(messageId: string, incoming: MessageStatus, failure: SendFailure | null, now: number): Promise<boolean> {
    const row = await this.existingMessage(messageId);
    const change = statusChange(row.status, { status: incoming, failure });
    if (change === null) return false;
    const { status, failure: storedFailure } = change;
    await this.db.run('UPDATE messages SET status = ?, failure = ?, updated_at = ? WHERE id = ?', [
      status,
      storedFailure === null ? null : JSON.stringify(storedFailure),
      now,
      messageId,
    ]);
    await this.events.append({ kind: 'message.status', messageId, conversationId: row.conversation_id, status, failure: storedFailure, at: now }, now);
    return true;
  }

  async markRead(
    conversationId: string,
    upToMessageId: string,
    now: number,
  ): Promise<Result<{ conversation: Conversation; wamid: string | null; phoneNumberId: string }>> {
    return this.db.transaction(async (): Promise<Result<{ conversation: Conversation; wamid: string | null; phoneNumberId: string }>> => {
      const message = await this.messageById(upToMessageId);
      if (message === undefined || message.conversation_id !== conversationId) return fail('not_found', 'message not found in this conversation');
      if (message.direction !== 'in') return fail('invalid_input', 'only inbound messages can be marked read');
      await this.db.run('UPDATE conversations SET read_up_to = greatest(coalesce(read_up_to, 0), ?), updated_at = ? WHERE id = ?', [
        message.created_at,
        now,
        conversationId,
      ]);
      // Meta's Groups API has no read receipts: in a group the read pointer is ours alone.
      const row = await this.existing(conversationId);
      return ok({
        conversation: await this.emit(conversationId, now),
        wamid: row.group_id !== null ? null : message.wamid,
        phoneNumberId: row.phone_number_id,
      });
    });
  }

  async update(id: string, column: 'case_id' | 'assigned_agent_id', value: string | null, now: number): Promise<Result<Conversation>> {
    return this.db.transaction(async (): Promise<Result<Conversation>> => {
      const { changes } = await this.db.run(`UPDATE conversations SET ${column} = ?, updated_at = ? WHERE id = ?`, [value, now, id]);
      if (changes === 0) return fail('not_found', 'conversation not found');
      return ok(await this.emit(id, now));
    });
  }

  /** Newest activity first; `teamIds` given, only those teams' conversations (each team an index range of its own). */
  async list(cursor: string | undefined, limit: number, teamIds?: readonly string[]): Promise<Result<Page<Conversation> & { total: number; head: number }>> {
    const after = cursor === undefined ? null : decodeCursor(cursor);
    if (cursor !== undefined && after === null) return fail('invalid_input', 'cursor is not one this relay issued');
    const teams = teamIds === undefined ? [] : [JSON.stringify([...new Set(teamIds)])];
    const inTeams = teamIds === undefined ? '1 = 1' : `c.team_id IN ${this.db.dialect.jsonList}`;
    const afterCursor = after === null ? '1 = 1' : '(c.last_message_at < ? OR (c.last_message_at = ? AND c.id < ?))';
    const afterParams = after === null ? [] : [after.time, after.time, after.id];
    return this.db.transaction(async () => {
      const head = await this.events.head();
      const raw = await this.db.all(`${CONVERSATION_SELECT} WHERE ${inTeams} AND ${afterCursor} ORDER BY c.last_message_at DESC, c.id DESC LIMIT ?`, [
        ...teams,
        ...afterParams,
        limit + 1,
      ]);
      const rows = parseRows('conversations', ConversationRow, raw);
      const total = parseRow('conversations', Count, await this.db.get(`SELECT CAST(count(*) AS BIGINT) AS n FROM conversations c WHERE ${inTeams}`, teams)).n;
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      const nextCursor = rows.length > limit && last !== undefined ? encodeCursor(last.last_message_at, last.id) : null;
      return ok({ items: page.map(toConversation), nextCursor, total, head });
    });
  }

  async history(conversationId: string, cursor: string | undefined, limit: number): Promise<Result<Page<Message>>> {
    if ((await this.byId(conversationId)) === undefined) return fail('not_found', 'conversation not found');
    const before = cursor === undefined ? null : decodeCursor(cursor);
    if (cursor !== undefined && before === null) return fail('invalid_input', 'cursor is not one this relay issued');
    const raw =
      before === null
        ? await this.db.all(`${MESSAGE_SELECT} WHERE m.conversation_id = ? ORDER BY m.created_at DESC, m.id DESC LIMIT ?`, [conversationId, limit + 1])
        : await this.db.all(
            `${MESSAGE_SELECT} WHERE m.conversation_id = ? AND (m.created_at < ? OR (m.created_at = ? AND m.id < ?))
             ORDER BY m.created_at DESC, m.id DESC LIMIT ?`,
            [conversationId, before.time, before.time, before.id, limit + 1],
          );
    const rows = parseRows('messages', MessageRow, raw);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return ok({ items: page.map(toMessage), nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last.created_at, last.id) : null });
  }
}
