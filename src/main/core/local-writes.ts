// Writes relay state into the cache idempotently: a repeat changes nothing, a late status never steps back.
import { MessageStatus, type Conversation, type Message, type SendFailure } from '../../shared/domain';
import { mergeStatus, statusAdvances } from '../../shared/status-merge';
import type { ChangeSet } from './local-changes';
import type { LocalDatabase } from './local-db';
import { MESSAGE_COLUMNS, messageOf, messageParams } from './local-rows';
import { searchTextOf } from './domain/message-text';
import { newestRevision } from './domain/message-revision';

type Params = Record<string, string | number | null>;
type Removal = { id: string; keep: 0 | 1; me: string | null };

/** Outbox rows of a conversation queued by someone other than the signed-in agent (`@me`), when `@keep = 1`. */
const KEPT = 'conversation_id = @id AND @keep = 1 AND author_id IS NOT @me';

const MESSAGE_SET =
  'conversation_id = @conversationId, direction = @direction, content = @content, status = @status, failure_code = @failureCode, ' +
  'failure_message = @failureMessage, failure_meta_code = @failureMetaCode, reply_to_id = @replyToId, sender_agent_id = @senderAgentId, ' +
  'created_at = @createdAt, updated_at = @updatedAt, search_text = @searchText, edited = @edited, author = @author, sender_name = @senderName';

/** Columns as stored, to compare with what would be written. */
const RAW_COLUMNS = {
  conversationId: 'conversation_id',
  direction: 'direction',
  content: 'content',
  status: 'status',
  failureCode: 'failure_code',
  failureMessage: 'failure_message',
  failureMetaCode: 'failure_meta_code',
  replyToId: 'reply_to_id',
  senderAgentId: 'sender_agent_id',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  searchText: 'search_text',
  edited: 'edited',
  author: 'author',
  senderName: 'sender_name',
} as const;

export class CacheWriter {
  private readonly statements;

  constructor(db: LocalDatabase) {
    this.statements = {
      rawMessage: db.prepare<[string], Record<string, string | number | null>>('SELECT * FROM messages WHERE id = ?'),
      message: db.prepare<[string], unknown>(`SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.id = ?`),
      insertMessage: db.prepare<Params>(
        `INSERT INTO messages (id, conversation_id, direction, content, status, failure_code, failure_message, failure_meta_code, reply_to_id,
           sender_agent_id, created_at, updated_at, search_text, edited, author, sender_name)
         VALUES (@id, @conversationId, @direction, @content, @status, @failureCode, @failureMessage, @failureMetaCode, @replyToId,
           @senderAgentId, @createdAt, @updatedAt, @searchText, @edited, @author, @senderName)`,
      ),
      updateMessage: db.prepare<Params>(`UPDATE messages SET ${MESSAGE_SET} WHERE id = @id`),
      setStatus: db.prepare<[MessageStatus, string | null, string | null, number | null, number, string]>(
        'UPDATE messages SET status = ?, failure_code = ?, failure_message = ?, failure_meta_code = ?, updated_at = max(updated_at, ?) WHERE id = ?',
      ),
      touchConversation: db.prepare<[number, string]>('UPDATE conversations SET last_message_at = max(last_message_at, ?) WHERE id = ?'),
      conversationState: db.prepare<[string], { updated_at: number; assigned_agent_id: string | null; local_only: number }>(
        'SELECT updated_at, assigned_agent_id, local_only FROM conversations WHERE id = ?',
      ),
      upsertConversation: db.prepare<Params>(
        `INSERT INTO conversations (id, wa_id, bsuid, username, customer_name, group_id, group_subject, assigned_agent_id, last_inbound_at, case_id,
           read_up_to, last_message_at, created_at, updated_at, assigned_agent_name, team_id, team_name)
         VALUES (@id, @waId, @bsuid, @username, @name, @groupId, @groupSubject, @assigned, @lastInboundAt, @caseId, @readUpTo, @lastMessageAt,
           @createdAt, @updatedAt, @assignedName, @teamId, @teamName)
         ON CONFLICT (id) DO UPDATE SET wa_id = excluded.wa_id, bsuid = excluded.bsuid, username = excluded.username,
           customer_name = excluded.customer_name, group_id = excluded.group_id, group_subject = excluded.group_subject,
           assigned_agent_id = excluded.assigned_agent_id, assigned_agent_name = excluded.assigned_agent_name,
           team_id = coalesce(excluded.team_id, conversations.team_id), team_name = coalesce(excluded.team_name, conversations.team_name),
           last_inbound_at = excluded.last_inbound_at, case_id = excluded.case_id, read_up_to = excluded.read_up_to,
           last_message_at = max(conversations.last_message_at, excluded.last_message_at), created_at = excluded.created_at,
           updated_at = excluded.updated_at, local_only = 0`,
      ),
      localConversation: db.prepare<[string, string], { id: string }>('SELECT id FROM conversations WHERE wa_id = ? AND local_only = 1 AND id <> ?'),
      moveMessages: db.prepare<[string, string]>('UPDATE messages SET conversation_id = ? WHERE conversation_id = ?'),
      moveOutbox: db.prepare<[string, string]>('UPDATE outbox SET conversation_id = ? WHERE conversation_id = ?'),
      moveDraft: db.prepare<[string, string]>(
        'INSERT OR IGNORE INTO drafts (conversation_id, text, updated_at) SELECT ?, text, updated_at FROM drafts WHERE conversation_id = ?',
      ),
      deleteDraft: db.prepare<[string]>('DELETE FROM drafts WHERE conversation_id = ?'),
      deleteConversation: db.prepare<[string]>('DELETE FROM conversations WHERE id = ?'),
      // `@keep = 1`: what a colleague queued here stays (without its conversation) for them to send when they sign in again.
      messagesOf: db.prepare<Removal, unknown>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.conversation_id = @id AND m.id NOT IN (SELECT message_id FROM outbox WHERE ${KEPT})`,
      ),
      deleteMessages: db.prepare<Removal>(`DELETE FROM messages WHERE conversation_id = @id AND id NOT IN (SELECT message_id FROM outbox WHERE ${KEPT})`),
      deleteOutbox: db.prepare<Removal>(`DELETE FROM outbox WHERE conversation_id = @id AND NOT (${KEPT})`),
    };
  }

  /** The message as stored now, or null. */
  message(id: string): Message | null {
    const row = this.statements.message.get(id);
    return row === undefined ? null : messageOf(row);
  }

  upsertConversation(conversation: Conversation, changes: ChangeSet): void {
    const existing = this.statements.conversationState.get(conversation.id);
    // A snapshot page may be newer than an event replayed after it: never step back in time.
    if (existing !== undefined && existing.updated_at > conversation.updatedAt) return;
    if (existing === undefined) changes.newConversations.add(conversation.id);
    else if (existing.assigned_agent_id !== conversation.assignedAgentId) {
      const earlier = changes.assignments.get(conversation.id);
      changes.assignments.set(conversation.id, {
        from: earlier?.from ?? existing.assigned_agent_id,
        to: conversation.assignedAgentId,
        toName: conversation.assignedAgent?.name ?? null,
      });
    }
    this.statements.upsertConversation.run({
      id: conversation.id,
      waId: conversation.customer.waId,
      bsuid: conversation.customer.bsuid ?? null,
      username: conversation.customer.username ?? null,
      name: conversation.customer.name,
      groupId: conversation.group?.id ?? null,
      groupSubject: conversation.group?.subject ?? null,
      assigned: conversation.assignedAgentId,
      assignedName: conversation.assignedAgentId === null ? null : (conversation.assignedAgent?.name ?? null),
      teamId: conversation.team?.id ?? null,
      teamName: conversation.team?.name ?? null,
      lastInboundAt: conversation.lastInboundAt,
      caseId: conversation.caseId,
      readUpTo: conversation.readUpTo,
      lastMessageAt: conversation.lastMessageAt ?? conversation.createdAt,
      createdAt: conversation.createdAt,
      updatedAt: conversation.updatedAt,
    });
    this.adoptLocalConversation(conversation, changes);
    changes.conversations.add(conversation.id);
    changes.removedConversations.delete(conversation.id);
  }

  /** Messages sent to a WhatsApp id before the relay named its conversation move into the relay's conversation. */
  private adoptLocalConversation(conversation: Conversation, changes: ChangeSet): void {
    // Only a phone number can have started one: the agent starts conversations by WhatsApp id.
    if (conversation.customer.waId === null || (conversation.group ?? null) !== null) return;
    const local = this.statements.localConversation.get(conversation.customer.waId, conversation.id);
    if (local === undefined) return;
    this.statements.moveMessages.run(conversation.id, local.id);
    this.statements.moveOutbox.run(conversation.id, local.id);
    this.statements.moveDraft.run(conversation.id, local.id);
    this.statements.deleteDraft.run(local.id);
    this.statements.deleteConversation.run(local.id);
    changes.conversations.add(local.id);
  }

  upsertMessage(message: Message, changes: ChangeSet, live: boolean): void {
    const existing = this.statements.rawMessage.get(message.id);
    let stored = message;
    if (existing !== undefined) {
      // Our own message coming back from the relay: keep the furthest status either side has seen.
      const localStatus = MessageStatus.parse(existing['status']);
      const status = mergeStatus(localStatus, message.status);
      const current = this.message(message.id);
      const revision = current === null ? message : newestRevision(current, message);
      stored = {
        ...message,
        // The relay's copy may not name the sender (an older relay); the name this console wrote stays.
        ...(message.sender === undefined && current?.sender !== undefined && { sender: current.sender }),
        content: revision.content,
        edited: revision.edited ?? null,
        status,
        failure: status === message.status ? message.failure : (current?.failure ?? null),
      };
      const params = messageParams(stored, searchTextOf(stored.content));
      if (Object.entries(RAW_COLUMNS).every(([key, column]) => params[key] === existing[column])) return;
      this.statements.updateMessage.run(params);
    } else {
      this.statements.insertMessage.run(messageParams(stored, searchTextOf(stored.content)));
      if (live && stored.direction === 'in') changes.newInbound.push(stored);
    }
    this.statements.touchConversation.run(stored.createdAt, stored.conversationId);
    changes.messages.set(stored.id, stored);
    changes.conversations.add(stored.conversationId);
  }

  /**
   * Drops a conversation the relay no longer has (merged into another, or no longer the agent's to see) with its
   * messages and the search entries they had. Messages still in the outbox and the draft were moved first when it was
   * merged (LocalStore). `keepQueuedOf` set: messages a colleague queued here that were never sent stay (without the
   * conversation, so nobody sees them) until their author signs in again. Returns the media ids of what was dropped,
   * for the caller to delete once the transaction has committed.
   */
  deleteConversation(conversationId: string, changes: ChangeSet, keepQueuedOf?: { signedIn: string | null }): string[] {
    const removal: Removal = { id: conversationId, keep: keepQueuedOf === undefined ? 0 : 1, me: keepQueuedOf?.signedIn ?? null };
    const media: string[] = [];
    for (const row of this.statements.messagesOf.all(removal)) {
      const message = messageOf(row);
      if ('mediaId' in message.content) media.push(message.content.mediaId);
      changes.messages.delete(message.id);
    }
    this.statements.deleteOutbox.run(removal);
    this.statements.deleteMessages.run(removal);
    this.statements.deleteDraft.run(conversationId);
    this.statements.deleteConversation.run(conversationId);
    changes.conversations.delete(conversationId);
    return media;
  }

  mergeStatus(messageId: string, status: MessageStatus, failure: SendFailure | null, at: number, changes: ChangeSet): void {
    const row = this.statements.rawMessage.get(messageId);
    if (row === undefined || !statusAdvances(MessageStatus.parse(row['status']), status)) return; // unknown here (resynced away) or stale
    const kept = status === 'failed' ? failure : null;
    this.statements.setStatus.run(status, kept?.code ?? null, kept?.message ?? null, kept?.metaCode ?? null, at, messageId);
    const updated = this.message(messageId)!;
    changes.messages.set(messageId, updated);
    changes.conversations.add(updated.conversationId);
  }
}
