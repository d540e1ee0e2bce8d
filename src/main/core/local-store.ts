// The console's local state: relay events applied idempotently, and the outbox that never loses a message.
import type { Conversation, Message, MessageContent, MessageStatus, OutboundContent, SendFailure } from '../../shared/domain';
import type { SequencedEvent } from '../../shared/protocol';
import type { RelayEvent } from '../../shared/protocol-events';
import { mergeStatus, statusAdvances } from '../../shared/status-merge';
import type { LocalDatabase } from './local-db';
import { searchTextOf } from './message-text';

/** What changed in one commit: the service turns it into UI events and notification decisions. */
export interface ChangeSet {
  readonly conversations: Set<string>;
  readonly messages: Map<string, Message>;
  /** Inbound messages seen for the first time. */
  readonly newInbound: Message[];
}

export function emptyChanges(): ChangeSet {
  return { conversations: new Set(), messages: new Map(), newInbound: [] };
}

/** The relay request an outbox row will become; the clientMessageId is the row's message id. */
export interface OutboxRequest {
  conversationId?: string;
  waId?: string;
  content: OutboundContent;
  replyToId?: string;
}

export interface OutboxItem {
  readonly messageId: string;
  readonly conversationId: string;
  readonly request: OutboxRequest;
  readonly attempts: number;
}

/** Conversation id used until the relay names a conversation started from a WhatsApp id. */
export function placeholderConversationId(waId: string): string {
  return `pending:${waId}`;
}

interface MessageRow {
  id: string;
  data: string;
  status: MessageStatus;
  direction: 'in' | 'out';
  conversation_id: string;
}

export class LocalStore {
  private readonly getMessage;
  private readonly getConversation;

  constructor(readonly db: LocalDatabase) {
    this.getMessage = db.prepare<[string], MessageRow>('SELECT id, data, status, direction, conversation_id FROM messages WHERE id = ?');
    this.getConversation = db.prepare<[string], { data: string; updated_at: number }>('SELECT data, updated_at FROM conversations WHERE id = ?');
  }

  // ---- meta: cursor, device, session ----

  meta(key: string): string | null {
    return this.db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(key)?.value ?? null;
  }

  setMeta(key: string, value: string | null): void {
    if (value === null) this.db.prepare('DELETE FROM meta WHERE key = ?').run(key);
    else this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /** The last event seq committed here: what the connection resumes from. */
  cursor(): number | null {
    const value = this.meta('seq');
    return value === null ? null : Number(value);
  }

  // ---- applying relay events ----

  /** Applies a batch and advances the cursor in one transaction: after it returns, the batch may be acked. */
  applyEvents(events: readonly SequencedEvent[]): ChangeSet {
    const changes = emptyChanges();
    this.db.transaction(() => {
      for (const { seq, event } of events) {
        this.applyEvent(event, changes);
        this.setMeta('seq', String(seq));
      }
    })();
    return changes;
  }

  /** Writes state obtained outside the event stream (first sync pages), with the same idempotent rules. */
  applySnapshot(conversations: readonly Conversation[], messages: readonly Message[]): ChangeSet {
    const changes = emptyChanges();
    this.db.transaction(() => {
      for (const conversation of conversations) this.upsertConversation(conversation, changes);
      for (const message of messages) this.upsertMessage(message, changes, false);
    })();
    return changes;
  }

  private applyEvent(event: RelayEvent, changes: ChangeSet): void {
    switch (event.kind) {
      case 'message.created':
        this.upsertMessage(event.message, changes, true);
        return;
      case 'message.status':
        this.mergeStatus(event.messageId, event.status, event.failure, event.at, changes);
        return;
      case 'conversation.upserted':
        this.upsertConversation(event.conversation, changes);
        return;
    }
  }

  private upsertConversation(conversation: Conversation, changes: ChangeSet): void {
    const existing = this.getConversation.get(conversation.id);
    // A snapshot page may be newer than an event replayed after it: never step back in time.
    if (existing !== undefined && existing.updated_at > conversation.updatedAt) return;
    this.db
      .prepare(
        `INSERT INTO conversations (id, wa_id, customer_name, assigned_agent_id, read_up_to, last_message_at, updated_at, data)
         VALUES (@id, @waId, @name, @assigned, @readUpTo, @lastMessageAt, @updatedAt, @data)
         ON CONFLICT (id) DO UPDATE SET wa_id = excluded.wa_id, customer_name = excluded.customer_name, assigned_agent_id = excluded.assigned_agent_id,
           read_up_to = excluded.read_up_to, last_message_at = max(conversations.last_message_at, excluded.last_message_at),
           updated_at = excluded.updated_at, data = excluded.data`,
      )
      .run({
        id: conversation.id,
        waId: conversation.customer.waId,
        name: conversation.customer.name,
        assigned: conversation.assignedAgentId,
        readUpTo: conversation.readUpTo,
        lastMessageAt: conversation.lastMessageAt ?? conversation.createdAt,
        updatedAt: conversation.updatedAt,
        data: JSON.stringify(conversation),
      });
    this.db.prepare('DELETE FROM search_index WHERE conversation_id = ? AND message_id IS NULL').run(conversation.id);
    this.db
      .prepare('INSERT INTO search_index (text, conversation_id, message_id) VALUES (?, ?, NULL)')
      .run(`${conversation.customer.name ?? ''} ${conversation.customer.waId}`, conversation.id);
    this.adoptPlaceholder(conversation);
    changes.conversations.add(conversation.id);
  }

  /** Messages sent to a WhatsApp id before its conversation existed move to the relay's conversation. */
  private adoptPlaceholder(conversation: Conversation): void {
    const placeholder = placeholderConversationId(conversation.customer.waId);
    if (this.getConversation.get(placeholder) === undefined) return;
    this.db.prepare('UPDATE messages SET conversation_id = ? WHERE conversation_id = ?').run(conversation.id, placeholder);
    this.db.prepare('UPDATE outbox SET conversation_id = ? WHERE conversation_id = ?').run(conversation.id, placeholder);
    this.db.prepare('UPDATE search_index SET conversation_id = ? WHERE conversation_id = ?').run(conversation.id, placeholder);
    this.db.prepare('DELETE FROM conversations WHERE id = ?').run(placeholder);
    this.db.prepare('DELETE FROM drafts WHERE conversation_id = ?').run(placeholder);
  }

  private upsertMessage(message: Message, changes: ChangeSet, live: boolean): void {
    const existing = this.getMessage.get(message.id);
    let stored = message;
    if (existing !== undefined) {
      const local = JSON.parse(existing.data) as Message;
      // Our own message coming back from the relay: keep the furthest status either side has seen.
      const status = mergeStatus(local.status, message.status);
      stored = { ...message, status, failure: status === message.status ? message.failure : local.failure };
      if (JSON.stringify(stored) === existing.data) return;
      this.db
        .prepare('UPDATE messages SET conversation_id = ?, status = ?, data = ? WHERE id = ?')
        .run(stored.conversationId, stored.status, JSON.stringify(stored), stored.id);
    } else {
      this.db
        .prepare('INSERT INTO messages (id, conversation_id, direction, status, created_at, data) VALUES (?, ?, ?, ?, ?, ?)')
        .run(stored.id, stored.conversationId, stored.direction, stored.status, stored.createdAt, JSON.stringify(stored));
      const text = searchTextOf(stored.content);
      if (text !== '')
        this.db.prepare('INSERT INTO search_index (text, conversation_id, message_id) VALUES (?, ?, ?)').run(text, stored.conversationId, stored.id);
      if (live && stored.direction === 'in') changes.newInbound.push(stored);
    }
    this.db.prepare('UPDATE conversations SET last_message_at = max(last_message_at, ?) WHERE id = ?').run(stored.createdAt, stored.conversationId);
    changes.messages.set(stored.id, stored);
    changes.conversations.add(stored.conversationId);
  }

  private mergeStatus(messageId: string, status: MessageStatus, failure: SendFailure | null, at: number, changes: ChangeSet): void {
    const row = this.getMessage.get(messageId);
    if (row === undefined || !statusAdvances(row.status, status)) return; // unknown here (resynced away) or stale
    const message = JSON.parse(row.data) as Message;
    const updated: Message = { ...message, status, failure: status === 'failed' ? failure : null, updatedAt: Math.max(message.updatedAt, at) };
    this.db.prepare('UPDATE messages SET status = ?, data = ? WHERE id = ?').run(status, JSON.stringify(updated), messageId);
    changes.messages.set(messageId, updated);
    changes.conversations.add(message.conversationId);
  }

  // ---- the outbox ----

  /**
   * Saves a message the agent sent, with its outbox row, in one transaction that is durable even
   * against power loss. Only after this returns may the UI show it as queued.
   */
  queueMessage(input: { id: string; request: OutboxRequest; content: MessageContent; agentId: string | null; now: number }): Message {
    const { id, request, content, agentId, now } = input;
    let conversationId = request.conversationId;
    if (conversationId === undefined) {
      const waId = request.waId!;
      const known = this.db.prepare<[string], { id: string }>("SELECT id FROM conversations WHERE wa_id = ? AND id NOT LIKE 'pending:%'").get(waId);
      conversationId = known?.id ?? placeholderConversationId(waId);
    }
    const message: Message = {
      id,
      conversationId,
      direction: 'out',
      content,
      status: 'queued',
      failure: null,
      replyToId: request.replyToId ?? null,
      senderAgentId: agentId,
      createdAt: now,
      updatedAt: now,
    };
    this.db.pragma('synchronous = FULL');
    try {
      this.db.transaction(() => {
        if (conversationId.startsWith('pending:')) this.ensurePlaceholder(conversationId, request.waId!, now);
        this.db
          .prepare('INSERT INTO messages (id, conversation_id, direction, status, created_at, data) VALUES (?, ?, ?, ?, ?, ?)')
          .run(id, conversationId, 'out', 'queued', now, JSON.stringify(message));
        const position = (this.db.prepare<[], { p: number | null }>('SELECT max(position) AS p FROM outbox').get()?.p ?? 0) + 1;
        const relayRequest: OutboxRequest = conversationId.startsWith('pending:') ? request : { ...request, conversationId, waId: undefined };
        this.db
          .prepare("INSERT INTO outbox (message_id, conversation_id, position, request, state) VALUES (?, ?, ?, ?, 'queued')")
          .run(id, conversationId, position, JSON.stringify(relayRequest));
        const text = searchTextOf(content);
        if (text !== '') this.db.prepare('INSERT INTO search_index (text, conversation_id, message_id) VALUES (?, ?, ?)').run(text, conversationId, id);
        this.db.prepare('UPDATE conversations SET last_message_at = max(last_message_at, ?) WHERE id = ?').run(now, conversationId);
        this.db.prepare('DELETE FROM drafts WHERE conversation_id = ?').run(conversationId);
      })();
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
    return message;
  }

  private ensurePlaceholder(id: string, waId: string, now: number): void {
    if (this.getConversation.get(id) !== undefined) return;
    const conversation: Conversation = {
      id,
      customer: { waId, name: null },
      assignedAgentId: null,
      lastInboundAt: null,
      caseId: null,
      readUpTo: null,
      lastMessageAt: now,
      createdAt: now,
      updatedAt: now,
    };
    this.db
      .prepare('INSERT INTO conversations (id, wa_id, last_message_at, updated_at, data) VALUES (?, ?, ?, ?, ?)')
      .run(id, waId, now, now, JSON.stringify(conversation));
  }

  /** The next message of each conversation that is due, oldest first: per-conversation order. */
  dueOutbox(now: number, limit: number): OutboxItem[] {
    return this.db
      .prepare<[number, number], { message_id: string; conversation_id: string; request: string; attempts: number }>(
        `SELECT o.message_id, o.conversation_id, o.request, o.attempts FROM outbox o
         WHERE o.state = 'queued' AND o.next_attempt_at <= ?
           AND o.position = (SELECT min(position) FROM outbox p WHERE p.conversation_id = o.conversation_id AND p.state = 'queued')
         ORDER BY o.position LIMIT ?`,
      )
      .all(now, limit)
      .map((r) => ({ messageId: r.message_id, conversationId: r.conversation_id, request: JSON.parse(r.request) as OutboxRequest, attempts: r.attempts }));
  }

  /** The earliest time a conversation's next message becomes due, or null if nothing is queued. */
  nextOutboxDue(inFlight: readonly string[] = []): number | null {
    // Messages being sent right now are not "due": their conversations wait for their answer.
    return (
      this.db
        .prepare<[string], { t: number | null }>(
          `SELECT min(o.next_attempt_at) AS t FROM outbox o WHERE o.state = 'queued'
             AND o.position = (SELECT min(position) FROM outbox p WHERE p.conversation_id = o.conversation_id AND p.state = 'queued')
             AND o.message_id NOT IN (SELECT value FROM json_each(?))`,
        )
        .get(JSON.stringify(inFlight))?.t ?? null
    );
  }

  queuedCount(): number {
    return this.db.prepare<[], { n: number }>("SELECT count(*) AS n FROM outbox WHERE state = 'queued'").get()!.n;
  }

  /** The relay took the message: the outbox row goes, the relay's copy (with its status) is stored. */
  outboxAccepted(messageId: string, relayMessage: Message): ChangeSet {
    const changes = emptyChanges();
    this.db.transaction(() => {
      const previous = this.getMessage.get(messageId);
      this.db.prepare('DELETE FROM outbox WHERE message_id = ?').run(messageId);
      this.upsertMessage(relayMessage, changes, false);
      if (previous !== undefined && previous.conversation_id !== relayMessage.conversationId) {
        this.db.prepare('UPDATE search_index SET conversation_id = ? WHERE message_id = ?').run(relayMessage.conversationId, messageId);
        changes.conversations.add(previous.conversation_id);
      }
    })();
    return changes;
  }

  outboxRetryLater(messageId: string, attempts: number, nextAttemptAt: number): void {
    this.db.prepare('UPDATE outbox SET attempts = ?, next_attempt_at = ? WHERE message_id = ?').run(attempts, nextAttemptAt, messageId);
  }

  /** Makes due now every retry set later than `latest`: no backoff waits that long, so the wall clock went back since. */
  pullForwardOutbox(latest: number, now: number): void {
    // Read first: the write is rare (only after a clock jump), and a read still works on a disk that refuses writes.
    if (this.db.prepare("SELECT 1 FROM outbox WHERE state = 'queued' AND next_attempt_at > ? LIMIT 1").get(latest) === undefined) return;
    this.db.prepare("UPDATE outbox SET next_attempt_at = ? WHERE state = 'queued' AND next_attempt_at > ?").run(now, latest);
  }

  /** The relay refused it for good: the agent sees why and may retry (as a new message) or discard it. */
  outboxFailed(messageId: string, failure: SendFailure, now: number): ChangeSet {
    const changes = emptyChanges();
    this.db.transaction(() => {
      this.db.prepare("UPDATE outbox SET state = 'failed' WHERE message_id = ?").run(messageId);
      const row = this.getMessage.get(messageId);
      if (row === undefined) return;
      const message: Message = { ...(JSON.parse(row.data) as Message), status: 'failed', failure, updatedAt: now };
      this.db.prepare("UPDATE messages SET status = 'failed', data = ? WHERE id = ?").run(JSON.stringify(message), messageId);
      changes.messages.set(messageId, message);
      changes.conversations.add(message.conversationId);
    })();
    return changes;
  }

  /** Hides a failed or still-queued message; a queued one will not be sent. Returns its conversation, or null if it cannot be discarded. */
  discard(messageId: string): string | null {
    return this.db.transaction((): string | null => {
      const row = this.getMessage.get(messageId);
      if (row === undefined || row.direction !== 'out') return null;
      const inOutbox = this.db.prepare('SELECT 1 FROM outbox WHERE message_id = ?').get(messageId) !== undefined;
      if (row.status !== 'failed' && !inOutbox) return null;
      this.db.prepare('DELETE FROM outbox WHERE message_id = ?').run(messageId);
      this.db.prepare('UPDATE messages SET hidden = 1 WHERE id = ?').run(messageId);
      this.db.prepare('DELETE FROM search_index WHERE message_id = ?').run(messageId);
      return row.conversation_id;
    })();
  }

  message(messageId: string): Message | null {
    const row = this.getMessage.get(messageId);
    return row === undefined ? null : (JSON.parse(row.data) as Message);
  }

  conversation(conversationId: string): Conversation | null {
    const row = this.getConversation.get(conversationId);
    return row === undefined ? null : (JSON.parse(row.data) as Conversation);
  }

  // ---- drafts ----

  draft(conversationId: string): string {
    return this.db.prepare<[string], { text: string }>('SELECT text FROM drafts WHERE conversation_id = ?').get(conversationId)?.text ?? '';
  }

  saveDraft(conversationId: string, text: string, now: number): void {
    if (text === '') this.db.prepare('DELETE FROM drafts WHERE conversation_id = ?').run(conversationId);
    else
      this.db
        .prepare(
          'INSERT INTO drafts (conversation_id, text, updated_at) VALUES (?, ?, ?) ON CONFLICT (conversation_id) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at',
        )
        .run(conversationId, text, now);
  }

  // ---- settings and media ----

  setting(key: string): unknown {
    const row = this.db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?').get(key);
    return row === undefined ? undefined : (JSON.parse(row.value) as unknown);
  }

  setSetting(key: string, value: unknown): void {
    this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, JSON.stringify(value));
  }

  cachedMedia(mediaId: string): { mimeType: string; fileName: string | null; bytes: Buffer } | null {
    const row = this.db
      .prepare<[string], { mime_type: string; file_name: string | null; bytes: Buffer }>(
        'SELECT mime_type, file_name, bytes FROM media_cache WHERE media_id = ?',
      )
      .get(mediaId);
    return row === undefined ? null : { mimeType: row.mime_type, fileName: row.file_name, bytes: row.bytes };
  }

  cacheMedia(mediaId: string, mimeType: string, fileName: string | null, bytes: Buffer, now: number): void {
    this.db
      .prepare('INSERT OR REPLACE INTO media_cache (media_id, mime_type, file_name, bytes, cached_at) VALUES (?, ?, ?, ?, ?)')
      .run(mediaId, mimeType, fileName, bytes, now);
  }

  /**
   * Deletes history older than `cutoff` (policy: days kept on the desktop). Never a message still in the
   * outbox, and a conversation's newest message stays so the list keeps its preview.
   */
  pruneHistory(cutoff: number): number {
    return this.db.transaction(() => {
      const old = `SELECT m.id FROM messages m WHERE m.created_at < @cutoff
        AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = m.id)
        AND m.id <> (SELECT n.id FROM messages n WHERE n.conversation_id = m.conversation_id ORDER BY n.created_at DESC, n.id DESC LIMIT 1)`;
      this.db.prepare(`DELETE FROM search_index WHERE message_id IN (${old})`).run({ cutoff });
      return this.db.prepare(`DELETE FROM messages WHERE id IN (${old})`).run({ cutoff }).changes;
    })();
  }

  close(): void {
    this.db.close();
  }
}
