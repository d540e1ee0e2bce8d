// The outbox: messages the agent sent that the relay has not taken yet, saved with the message in one durable commit.
import { z } from 'zod';
import { EntityId, OutboundContent, WaId, type Message, type MessageContent, type SendFailure } from '../../shared/domain';
import { uuidv7 } from '../../shared/uuidv7';
import { emptyChanges, type ChangeSet } from './local-changes';
import type { LocalDatabase } from './local-db';
import type { CachedMedia, MediaCache } from './local-media';
import { jsonColumn } from '../../node-shared/stored-row';
import { messageParams } from './local-rows';
import { BY_AUTHOR, HEAD, authorParams, type AuthorFilter, type AuthorParams } from './local-outbox-authors';
import type { CacheWriter } from './local-writes';
import { searchTextOf } from './domain/message-text';

/** The relay request an outbox row will become; the clientMessageId is the row's message id. */
export const OutboxRequest = z
  .object({ conversationId: EntityId.optional(), waId: WaId.optional(), content: OutboundContent, replyToId: EntityId.optional() })
  .refine((r) => (r.conversationId === undefined) !== (r.waId === undefined), 'exactly one of conversationId and waId');
export type OutboxRequest = z.infer<typeof OutboxRequest>;
const StoredRequest = jsonColumn(OutboxRequest);

export interface OutboxItem {
  readonly messageId: string;
  readonly conversationId: string;
  readonly request: OutboxRequest;
  readonly attempts: number;
}

export interface QueueInput {
  id: string;
  request: OutboxRequest;
  content: MessageContent;
  /** Who queued it: only they will send it. Null when no hello has named the token's agent yet (see `authorKey`). */
  agentId: string | null;
  agentName?: string | null;
  /** The fingerprint of the token it was queued under, kept while `agentId` is null: that token's first hello claims it. */
  authorKey?: string | null;
  /** While `agentId` is null: whom the message names until the claim (the agent on record, most likely the same person). */
  senderGuess?: { id: string; name: string } | null;
  now: number;
  /** A file to send: cached here under `content.mediaId` and uploaded before the message goes. */
  file?: CachedMedia;
}

export class OutboxTable {
  private readonly statements;

  constructor(
    private readonly db: LocalDatabase,
    private readonly writer: CacheWriter,
    private readonly media: MediaCache,
    /** A stored request that no longer parses is failed, not retried forever: the owner hears of it. */
    private readonly onRepaired: (changes: ChangeSet, messageId: string, reason: string) => void,
  ) {
    this.statements = {
      due: db.prepare<AuthorParams & { now: number; limit: number }, { message_id: string; conversation_id: string; request: string; attempts: number }>(
        `SELECT o.message_id, o.conversation_id, o.request, o.attempts FROM outbox o
         WHERE o.state = 'queued' AND o.next_attempt_at <= @now AND ${BY_AUTHOR} AND ${HEAD} ORDER BY o.position LIMIT @limit`,
      ),
      nextDue: db.prepare<AuthorParams & { inFlight: string }, { t: number | null }>(
        `SELECT min(o.next_attempt_at) AS t FROM outbox o WHERE o.state = 'queued' AND ${BY_AUTHOR} AND ${HEAD}
           AND o.message_id NOT IN (SELECT value FROM json_each(@inFlight))`,
      ),
      queued: db.prepare<AuthorParams, { n: number }>(`SELECT count(*) AS n FROM outbox o WHERE o.state = 'queued' AND ${BY_AUTHOR}`),
      retryLater: db.prepare<[number, number, string]>('UPDATE outbox SET attempts = ?, next_attempt_at = ? WHERE message_id = ?'),
      request: db.prepare<[string], { request: string; state: string }>('SELECT request, state FROM outbox WHERE message_id = ?'),
      remove: db.prepare<[string]>('DELETE FROM outbox WHERE message_id = ?'),
      fail: db.prepare<[string]>("UPDATE outbox SET state = 'failed' WHERE message_id = ?"),
      // A group is never "the conversation with" one of its participants.
      conversationByWaId: db.prepare<[string], { id: string }>(
        'SELECT id FROM conversations WHERE wa_id = ? AND group_id IS NULL ORDER BY local_only, last_message_at DESC LIMIT 1',
      ),
    };
  }

  /**
   * Saves a message the agent sent, with its outbox row, in one transaction that is durable even against power loss.
   * Only after this returns may the UI show it as queued.
   */
  queue(input: QueueInput): Message {
    const { id, request, content, agentId, now } = input;
    const agentName = agentId === null ? null : (input.agentName ?? null);
    const sender = agentId === null ? (input.senderGuess ?? null) : agentName === null ? null : { id: agentId, name: agentName };
    this.db.pragma('synchronous = FULL');
    try {
      return this.db.transaction(() => {
        const conversationId = request.conversationId ?? this.conversationFor(request.waId!, now);
        const message: Message = {
          id,
          conversationId,
          direction: 'out',
          content,
          status: 'queued',
          failure: null,
          replyToId: request.replyToId ?? null,
          senderAgentId: agentId ?? sender?.id ?? null,
          ...(sender !== null && { sender }),
          createdAt: now,
          updatedAt: now,
        };
        this.db
          .prepare(
            `INSERT INTO messages (id, conversation_id, direction, content, status, reply_to_id, sender_agent_id, sender_name, created_at, updated_at,
               search_text)
             VALUES (@id, @conversationId, @direction, @content, @status, @replyToId, @senderAgentId, @senderName, @createdAt, @updatedAt, @searchText)`,
          )
          .run(messageParams(message, searchTextOf(content)));
        const position = (this.db.prepare<[], { p: number | null }>('SELECT max(position) AS p FROM outbox').get()?.p ?? 0) + 1;
        // A conversation the relay knows is addressed by its id; one started here by the WhatsApp id until the relay names it.
        const local = this.isLocalOnly(conversationId);
        const reply = request.replyToId !== undefined ? { replyToId: request.replyToId } : {};
        const stored: OutboxRequest = local
          ? { content: request.content, waId: request.waId ?? this.waIdOf(conversationId), ...reply }
          : { content: request.content, conversationId, ...reply };
        this.db
          .prepare(
            "INSERT INTO outbox (message_id, conversation_id, position, request, state, author_id, author_name, author_key) VALUES (?, ?, ?, ?, 'queued', ?, ?, ?)",
          )
          .run(
            id,
            conversationId,
            position,
            JSON.stringify(OutboxRequest.parse(stored)),
            agentId,
            agentName,
            agentId === null ? (input.authorKey ?? null) : null,
          );
        if (input.file !== undefined && 'mediaId' in content) {
          this.media.put(content.mediaId, input.file, now);
          this.media.addUpload(content.mediaId, now);
        }
        this.db.prepare('UPDATE conversations SET last_message_at = max(last_message_at, ?) WHERE id = ?').run(now, conversationId);
        this.db.prepare('DELETE FROM drafts WHERE conversation_id = ?').run(conversationId);
        return message;
      })();
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
  }

  /** The conversation with this customer, or a new one flagged as not yet known to the relay. */
  private conversationFor(waId: string, now: number): string {
    return this.conversationWith(waId, now).conversationId;
  }

  /** The private conversation with this phone number, preferring one the relay knows; null if there is none here. */
  conversationByWaId(waId: string): string | null {
    return this.statements.conversationByWaId.get(waId)?.id ?? null;
  }

  /** The conversation with this phone number, or a new one started here that the relay will learn of with its first message. */
  conversationWith(waId: string, now: number): { conversationId: string; created: boolean } {
    const known = this.conversationByWaId(waId);
    if (known !== null) return { conversationId: known, created: false };
    const id = uuidv7();
    this.db
      .prepare('INSERT INTO conversations (id, wa_id, last_message_at, created_at, updated_at, local_only) VALUES (?, ?, ?, ?, ?, 1)')
      .run(id, waId, now, now, now);
    return { conversationId: id, created: true };
  }

  /** The phone number a conversation started here was started with. */
  private waIdOf(conversationId: string): string | undefined {
    return this.db.prepare<[string], { wa_id: string | null }>('SELECT wa_id FROM conversations WHERE id = ?').get(conversationId)?.wa_id ?? undefined;
  }

  /**
   * Moves what the agent sent that the relay has not taken (queued or failed, with its outbox row) from one
   * conversation to another, addressed to the new one: the relay merged the two.
   */
  moveConversation(from: string, to: string, changes: ChangeSet): void {
    const rows = this.db
      .prepare<[string], { message_id: string; request: string }>('SELECT message_id, request FROM outbox WHERE conversation_id = ?')
      .all(from);
    for (const row of rows) {
      const request = StoredRequest.safeParse(row.request);
      // A request that no longer parses is failed when it comes due (due()); it moves as it is.
      const moved = request.success && request.data.conversationId !== undefined ? JSON.stringify({ ...request.data, conversationId: to }) : row.request;
      this.db.prepare('UPDATE outbox SET conversation_id = ?, request = ? WHERE message_id = ?').run(to, moved, row.message_id);
      this.db.prepare('UPDATE messages SET conversation_id = ? WHERE id = ?').run(to, row.message_id);
      const message = this.writer.message(row.message_id);
      if (message !== null) changes.messages.set(message.id, message);
    }
    if (rows.length > 0) changes.conversations.add(to);
  }

  isLocalOnly(conversationId: string): boolean {
    return this.db.prepare<[string], { local_only: number }>('SELECT local_only FROM conversations WHERE id = ?').get(conversationId)?.local_only === 1;
  }

  /**
   * The next message of each conversation that is due, oldest first: per-conversation order. `author`: only what that
   * agent queued; omitted: every author's (tests and migration checks, never the drainer).
   */
  due(now: number, limit: number, author?: AuthorFilter): OutboxItem[] {
    const items: OutboxItem[] = [];
    for (const row of this.statements.due.all({ ...authorParams(author), now, limit })) {
      const request = StoredRequest.safeParse(row.request);
      if (request.success) {
        items.push({ messageId: row.message_id, conversationId: row.conversation_id, request: request.data, attempts: row.attempts });
        continue;
      }
      const failure: SendFailure = { code: 'invalid_input', message: 'This message could not be read back from this computer; send it again.' };
      this.onRepaired(this.failed(row.message_id, failure, now), row.message_id, request.error.issues[0]?.message ?? 'invalid');
    }
    return items;
  }

  /** The earliest time a conversation's next message becomes due, or null if nothing is queued. */
  nextDue(inFlight: readonly string[] = [], author?: AuthorFilter): number | null {
    // Messages being sent right now are not "due": their conversations wait for their answer.
    return this.statements.nextDue.get({ ...authorParams(author), inFlight: JSON.stringify(inFlight) })?.t ?? null;
  }

  /** Messages waiting to be sent: by `author` (the status bar's count), or by anyone when omitted. */
  queuedCount(author?: AuthorFilter): number {
    return this.statements.queued.get(authorParams(author))!.n;
  }

  /** The relay took the message: the outbox row and upload go, the relay's copy (with its status) is stored. */
  accepted(messageId: string, relayMessage: Message): ChangeSet {
    const changes = emptyChanges();
    this.db.transaction(() => {
      const previous = this.writer.message(messageId);
      const request = this.statements.request.get(messageId);
      this.statements.remove.run(messageId);
      const localMediaId = request === undefined ? undefined : StoredRequest.safeParse(request.request).data?.content;
      if (localMediaId !== undefined && 'mediaId' in localMediaId) {
        this.media.dropUpload(localMediaId.mediaId);
        if ('mediaId' in relayMessage.content) this.media.rekey(localMediaId.mediaId, relayMessage.content.mediaId);
      }
      this.writer.upsertMessage(relayMessage, changes, false);
      if (previous !== null && previous.conversationId !== relayMessage.conversationId) changes.conversations.add(previous.conversationId);
    })();
    return changes;
  }

  retryLater(messageId: string, attempts: number, nextAttemptAt: number): void {
    this.statements.retryLater.run(attempts, nextAttemptAt, messageId);
  }

  /** Makes due now every retry set later than `latest`: no backoff waits that long, so the wall clock went back since. */
  pullForward(latest: number, now: number): void {
    // Read first: the write is rare (only after a clock jump), and a read still works on a disk that refuses writes.
    if (this.db.prepare("SELECT 1 FROM outbox WHERE state = 'queued' AND next_attempt_at > ? LIMIT 1").get(latest) === undefined) return;
    this.db.prepare("UPDATE outbox SET next_attempt_at = ? WHERE state = 'queued' AND next_attempt_at > ?").run(now, latest);
  }

  /** The relay refused it for good: the agent sees why and may retry (as a new message) or discard it. */
  failed(messageId: string, failure: SendFailure, now: number): ChangeSet {
    const changes = emptyChanges();
    this.db.transaction(() => {
      this.statements.fail.run(messageId);
      this.db
        .prepare("UPDATE messages SET status = 'failed', failure_code = ?, failure_message = ?, failure_meta_code = ?, updated_at = ? WHERE id = ?")
        .run(failure.code, failure.message, failure.metaCode ?? null, now, messageId);
      const message = this.writer.message(messageId);
      if (message === null) return;
      changes.messages.set(messageId, message);
      changes.conversations.add(message.conversationId);
    })();
    return changes;
  }

  /**
   * Hides a failed or still-queued message (a queued one will not be sent). Returns its conversation, or null if it
   * cannot be discarded. `keepFile`: the message is being sent again as a new one, with the same file.
   */
  discard(messageId: string, options: { keepFile?: boolean } = {}): string | null {
    return this.db.transaction((): string | null => {
      const message = this.writer.message(messageId);
      if (message === null || message.direction !== 'out') return null;
      const row = this.statements.request.get(messageId);
      if (message.status !== 'failed' && row === undefined) return null;
      this.statements.remove.run(messageId);
      this.db.prepare('UPDATE messages SET hidden = 1 WHERE id = ?').run(messageId);
      if (row !== undefined && options.keepFile !== true && 'mediaId' in message.content && this.media.uploadOf(message.content.mediaId) !== undefined) {
        this.media.dropUpload(message.content.mediaId);
        this.media.remove(message.content.mediaId);
      }
      return message.conversationId;
    })();
  }
}
