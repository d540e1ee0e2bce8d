// The relay store on SQLite: every operation is one transaction, and every change appends its event.
import type { Conversation, Message, MessageContent, MessageStatus, SendFailure } from '../../shared/domain';
import { fail, ok, type Result } from '../../shared/errors';
import type { RelayEvent } from '../../shared/protocol-events';
import { isWindowOpen } from '../../shared/service-window';
import { mergeStatus, statusAdvances } from '../../shared/status-merge';
import { uuidv7 } from '../../shared/uuidv7';
import type { InboundContent, InboundItem, StatusItem, WebhookBatch } from '../webhook/types';
import type { RelayDatabase } from './relay-db';
import type { Agent, AgentRecord, MediaRecord, OutboundJob, Page, RelayStore, SendRequest, StoredEvent, WebhookOutcome } from './relay-store';
import { decodeCursor, encodeCursor, toConversation, toMessage, type ConversationRow, type MessageRow } from './sqlite-rows';

interface AgentRow {
  id: string;
  name: string;
  created_at: number;
  revoked_at: number | null;
}

interface MediaRow {
  id: string;
  wa_media_id: string | null;
  origin: 'inbound' | 'upload';
  mime_type: string;
  file_name: string | null;
  size: number | null;
  sha256: string | null;
  state: 'pending' | 'ready' | 'failed';
}

export class SqliteRelayStore implements RelayStore {
  private readonly appendEventStmt;
  private readonly conversationById;
  private readonly conversationByWaId;
  private readonly messageById;
  private readonly messageByWamid;

  constructor(private readonly db: RelayDatabase) {
    this.appendEventStmt = db.prepare<[string, string, number]>('INSERT INTO events (kind, payload, created_at) VALUES (?, ?, ?)');
    this.conversationById = db.prepare<[string], ConversationRow>('SELECT * FROM conversations WHERE id = ?');
    this.conversationByWaId = db.prepare<[string], ConversationRow>('SELECT * FROM conversations WHERE wa_id = ?');
    this.messageById = db.prepare<[string], MessageRow>('SELECT * FROM messages WHERE id = ?');
    this.messageByWamid = db.prepare<[string], MessageRow>('SELECT * FROM messages WHERE wamid = ?');
  }

  // ---- agents and devices ----

  async addAgent(id: string, name: string, tokenHash: string, now: number): Promise<Result<AgentRecord>> {
    const existing = this.db.prepare('SELECT 1 FROM agents WHERE id = ?').get(id);
    if (existing !== undefined) return fail('conflict', `agent ${id} already exists`);
    this.db.prepare('INSERT INTO agents (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)').run(id, name, tokenHash, now);
    return ok({ id, name, createdAt: now, revokedAt: null });
  }

  /** Creates or re-keys an agent (the sandbox's demo agent gets a fresh token each start). */
  async setAgentToken(id: string, name: string, tokenHash: string, now: number): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO agents (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET token_hash = excluded.token_hash, revoked_at = NULL`,
      )
      .run(id, name, tokenHash, now);
  }

  async listAgents(): Promise<AgentRecord[]> {
    return this.db
      .prepare<[], AgentRow>('SELECT id, name, created_at, revoked_at FROM agents ORDER BY id')
      .all()
      .map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at, revokedAt: r.revoked_at }));
  }

  async revokeAgent(id: string, now: number): Promise<boolean> {
    return this.db.prepare('UPDATE agents SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id).changes > 0;
  }

  async findAgentByTokenHash(tokenHash: string): Promise<Agent | null> {
    const row = this.db.prepare<[string], Agent>('SELECT id, name FROM agents WHERE token_hash = ? AND revoked_at IS NULL').get(tokenHash);
    return row ?? null;
  }

  async isAgentActive(id: string): Promise<boolean> {
    return this.db.prepare('SELECT 1 FROM agents WHERE id = ? AND revoked_at IS NULL').get(id) !== undefined;
  }

  async recordDeviceAck(agentId: string, deviceId: string, seq: number, now: number): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO devices (agent_id, device_id, acked_seq, last_seen_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (agent_id, device_id) DO UPDATE SET acked_seq = max(acked_seq, excluded.acked_seq), last_seen_at = excluded.last_seen_at`,
      )
      .run(agentId, deviceId, seq, now);
  }

  // ---- event log ----

  async head(): Promise<number> {
    return this.headSync();
  }

  private headSync(): number {
    const row = this.db.prepare<[], { seq: number | null }>("SELECT seq FROM sqlite_sequence WHERE name = 'events'").get();
    return row?.seq ?? 0;
  }

  async oldest(): Promise<number> {
    const row = this.db.prepare<[], { seq: number | null }>('SELECT min(seq) AS seq FROM events').get();
    return row?.seq ?? this.headSync() + 1;
  }

  async readEvents(afterSeq: number, limit: number): Promise<StoredEvent[]> {
    return this.db
      .prepare<[number, number], { seq: number; payload: string }>('SELECT seq, payload FROM events WHERE seq > ? ORDER BY seq LIMIT ?')
      .all(afterSeq, limit)
      .map((r) => ({ seq: r.seq, json: r.payload }));
  }

  async pruneEvents(keepLast: number): Promise<number> {
    return this.db.prepare('DELETE FROM events WHERE seq <= ?').run(this.headSync() - keepLast).changes;
  }

  private append(event: RelayEvent, now: number): number {
    return Number(this.appendEventStmt.run(event.kind, JSON.stringify(event), now).lastInsertRowid);
  }

  private emitConversation(id: string, now: number): Conversation {
    const conversation = toConversation(this.conversationById.get(id)!);
    this.append({ kind: 'conversation.upserted', conversation }, now);
    return conversation;
  }

  // ---- webhooks ----

  async recordWebhook(batch: WebhookBatch, now: number): Promise<WebhookOutcome> {
    return this.db.transaction(() => {
      const mediaToFetch: { mediaId: string; waMediaId: string }[] = [];
      const touched = new Set<string>();
      let changed = false;
      for (const item of batch.messages) {
        if (this.messageByWamid.get(item.wamid) !== undefined) continue; // Meta repeats deliveries
        this.storeInbound(item, now, touched, mediaToFetch);
        changed = true;
      }
      for (const status of batch.statuses) changed = this.applyStatus(status, now) || changed;
      for (const id of touched) this.emitConversation(id, now);
      return { mediaToFetch, changed };
    })();
  }

  private storeInbound(item: InboundItem, now: number, touched: Set<string>, mediaToFetch: { mediaId: string; waMediaId: string }[]): void {
    const profileName = item.profileName === null ? null : item.profileName.slice(0, 256);
    let conversation = this.conversationByWaId.get(item.from);
    if (conversation === undefined) {
      const id = uuidv7();
      this.db
        .prepare('INSERT INTO conversations (id, wa_id, customer_name, last_inbound_at, last_message_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(id, item.from, profileName, item.timestamp, item.timestamp, now, now);
      conversation = this.conversationById.get(id)!;
    } else {
      this.db
        .prepare(
          `UPDATE conversations SET customer_name = coalesce(?, customer_name), last_inbound_at = max(coalesce(last_inbound_at, 0), ?),
           last_message_at = max(last_message_at, ?), updated_at = ? WHERE id = ?`,
        )
        .run(profileName, item.timestamp, item.timestamp, now, conversation.id);
    }
    touched.add(conversation.id);

    const content = this.inboundContent(item.content, now, mediaToFetch);
    const replyToId = item.contextWamid === null ? null : (this.messageByWamid.get(item.contextWamid)?.id ?? null);
    const id = uuidv7();
    this.db
      .prepare(
        `INSERT INTO messages (id, conversation_id, direction, wamid, content, status, reply_to_id, created_at, updated_at)
         VALUES (?, ?, 'in', ?, ?, 'delivered', ?, ?, ?)`,
      )
      .run(id, conversation.id, item.wamid, JSON.stringify(content), replyToId, item.timestamp, now);
    this.append({ kind: 'message.created', message: toMessage(this.messageById.get(id)!) }, now);
  }

  private inboundContent(content: InboundContent, now: number, mediaToFetch: { mediaId: string; waMediaId: string }[]): MessageContent {
    switch (content.type) {
      case 'image':
      case 'document':
      case 'audio':
      case 'video':
      case 'sticker': {
        const known = this.db.prepare<[string], { id: string }>('SELECT id FROM media WHERE wa_media_id = ?').get(content.waMediaId);
        const mediaId = known?.id ?? uuidv7();
        if (known === undefined) {
          this.db
            .prepare(
              "INSERT INTO media (id, wa_media_id, origin, mime_type, file_name, sha256, state, created_at) VALUES (?, ?, 'inbound', ?, ?, ?, 'pending', ?)",
            )
            .run(mediaId, content.waMediaId, content.mimeType, content.fileName ?? null, content.sha256 ?? null, now);
          mediaToFetch.push({ mediaId, waMediaId: content.waMediaId });
        }
        return {
          type: content.type,
          mediaId,
          mimeType: content.mimeType,
          ...(content.fileName !== undefined && { fileName: content.fileName }),
          ...(content.caption !== undefined && { caption: content.caption }),
          ...(content.voice !== undefined && { voice: content.voice }),
        };
      }
      case 'reaction':
        return { type: 'reaction', emoji: content.emoji, targetMessageId: this.messageByWamid.get(content.targetWamid)?.id ?? null };
      default:
        return content;
    }
  }

  /** Merges one status webhook; returns whether anything changed. */
  private applyStatus(status: StatusItem, now: number): boolean {
    let message = this.messageByWamid.get(status.wamid);
    if (message === undefined && status.bizOpaque !== null) {
      // Meta accepted a send whose answer we never received (timeout, crash): adopt its wamid, stop resending.
      const pending = this.messageById.get(status.bizOpaque);
      if (pending !== undefined && pending.direction === 'out' && pending.wamid === null) {
        this.db.prepare('UPDATE messages SET wamid = ? WHERE id = ?').run(status.wamid, pending.id);
        this.db.prepare('DELETE FROM outbound_jobs WHERE message_id = ?').run(pending.id);
        this.mergeMessageStatus(pending.id, 'sent', null, now);
        message = this.messageById.get(pending.id);
      }
    }
    if (message === undefined) {
      this.db
        .prepare('INSERT OR IGNORE INTO orphan_statuses (wamid, status, failure, biz_opaque, at) VALUES (?, ?, ?, ?, ?)')
        .run(status.wamid, status.status, status.failure === null ? null : JSON.stringify(status.failure), status.bizOpaque, status.timestamp);
      return true;
    }
    return this.mergeMessageStatus(message.id, status.status, status.failure, now);
  }

  private mergeMessageStatus(messageId: string, incoming: MessageStatus, failure: SendFailure | null, now: number): boolean {
    const row = this.messageById.get(messageId)!;
    if (!statusAdvances(row.status, incoming)) return false;
    const status = mergeStatus(row.status, incoming);
    const storedFailure = status === 'failed' ? failure : null;
    this.db
      .prepare('UPDATE messages SET status = ?, failure = ?, updated_at = ? WHERE id = ?')
      .run(status, storedFailure === null ? null : JSON.stringify(storedFailure), now, messageId);
    this.append({ kind: 'message.status', messageId, conversationId: row.conversation_id, status, failure: storedFailure, at: now }, now);
    return true;
  }

  // ---- agent requests ----

  async acceptSend({ agentId, params, requestHash, now }: SendRequest): Promise<Result<Message>> {
    return this.db.transaction((): Result<Message> => {
      const existing = this.messageById.get(params.clientMessageId);
      if (existing !== undefined) {
        if (existing.request_hash !== requestHash) {
          return fail('conflict', `clientMessageId ${params.clientMessageId} was already used for a different message`);
        }
        return ok(toMessage(existing)); // a repeat: the first result, as it stands now
      }

      let conversation = params.conversationId !== undefined ? this.conversationById.get(params.conversationId) : this.conversationByWaId.get(params.waId!);
      if (conversation === undefined && params.conversationId !== undefined) return fail('not_found', 'conversation not found');
      if (params.content.type !== 'template' && !isWindowOpen(conversation?.last_inbound_at ?? null, now)) {
        return fail('template_required', 'the 24-hour window is closed: only an approved template can be sent', false);
      }
      let content: MessageContent;
      if (params.content.type === 'image' || params.content.type === 'document') {
        const media = this.db.prepare<[string], MediaRow>('SELECT * FROM media WHERE id = ?').get(params.content.mediaId);
        if (media === undefined || media.state !== 'ready') return fail('not_found', 'media not found: upload it first');
        const fileName = params.content.type === 'document' ? (params.content.fileName ?? media.file_name) : null;
        content = {
          type: params.content.type,
          mediaId: media.id,
          mimeType: media.mime_type,
          ...(fileName !== null && { fileName }),
          ...(media.size !== null && { size: media.size }),
          ...(params.content.caption !== undefined && { caption: params.content.caption }),
        };
      } else {
        content = params.content;
      }

      if (conversation === undefined) {
        const id = uuidv7();
        this.db
          .prepare('INSERT INTO conversations (id, wa_id, assigned_agent_id, last_message_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
          .run(id, params.waId!, agentId, now, now, now);
        conversation = this.conversationById.get(id)!;
      }
      let replyToId: string | null = null;
      if (params.replyToId !== undefined) {
        const quoted = this.messageById.get(params.replyToId);
        if (quoted === undefined || quoted.conversation_id !== conversation.id) return fail('invalid_input', 'replyToId is not a message of this conversation');
        replyToId = quoted.id;
      }

      this.db
        .prepare(
          `INSERT INTO messages (id, conversation_id, direction, content, status, reply_to_id, sender_agent_id, request_hash, created_at, updated_at)
           VALUES (?, ?, 'out', ?, 'pending', ?, ?, ?, ?, ?)`,
        )
        .run(params.clientMessageId, conversation.id, JSON.stringify(content), replyToId, agentId, requestHash, now, now);
      const message = toMessage(this.messageById.get(params.clientMessageId)!);
      const seq = this.append({ kind: 'message.created', message }, now);
      this.db
        .prepare('INSERT INTO outbound_jobs (message_id, conversation_id, queued_seq, next_attempt_at) VALUES (?, ?, ?, ?)')
        .run(message.id, conversation.id, seq, now);
      // First responder: an unassigned conversation becomes the sender's.
      this.db
        .prepare(
          'UPDATE conversations SET assigned_agent_id = coalesce(assigned_agent_id, ?), last_message_at = max(last_message_at, ?), updated_at = ? WHERE id = ?',
        )
        .run(agentId, now, now, conversation.id);
      this.emitConversation(conversation.id, now);
      return ok(message);
    })();
  }

  async markRead(conversationId: string, upToMessageId: string, now: number): Promise<Result<{ conversation: Conversation; wamid: string | null }>> {
    return this.db.transaction((): Result<{ conversation: Conversation; wamid: string | null }> => {
      const message = this.messageById.get(upToMessageId);
      if (message === undefined || message.conversation_id !== conversationId) return fail('not_found', 'message not found in this conversation');
      if (message.direction !== 'in') return fail('invalid_input', 'only inbound messages can be marked read');
      this.db
        .prepare('UPDATE conversations SET read_up_to = max(coalesce(read_up_to, 0), ?), updated_at = ? WHERE id = ?')
        .run(message.created_at, now, conversationId);
      return ok({ conversation: this.emitConversation(conversationId, now), wamid: message.wamid });
    })();
  }

  async linkCase(conversationId: string, caseId: string | null, now: number): Promise<Result<Conversation>> {
    return this.updateConversation(conversationId, 'case_id', caseId, now);
  }

  async assign(conversationId: string, agentId: string | null, now: number): Promise<Result<Conversation>> {
    if (agentId !== null && !(await this.isAgentActive(agentId))) return fail('not_found', 'agent not found');
    return this.updateConversation(conversationId, 'assigned_agent_id', agentId, now);
  }

  private updateConversation(id: string, column: 'case_id' | 'assigned_agent_id', value: string | null, now: number): Result<Conversation> {
    return this.db.transaction((): Result<Conversation> => {
      const changes = this.db.prepare(`UPDATE conversations SET ${column} = ?, updated_at = ? WHERE id = ?`).run(value, now, id).changes;
      if (changes === 0) return fail('not_found', 'conversation not found');
      return ok(this.emitConversation(id, now));
    })();
  }

  async listConversations(cursor: string | undefined, limit: number): Promise<Result<Page<Conversation> & { total: number; head: number }>> {
    const after = cursor === undefined ? null : decodeCursor(cursor);
    if (cursor !== undefined && after === null) return fail('invalid_input', 'cursor is not one this relay issued');
    return this.db.transaction(() => {
      const head = this.headSync();
      const rows =
        after === null
          ? this.db.prepare<[number], ConversationRow>('SELECT * FROM conversations ORDER BY last_message_at DESC, id DESC LIMIT ?').all(limit + 1)
          : this.db
              .prepare<[number, number, string, number], ConversationRow>(
                'SELECT * FROM conversations WHERE last_message_at < ? OR (last_message_at = ? AND id < ?) ORDER BY last_message_at DESC, id DESC LIMIT ?',
              )
              .all(after.time, after.time, after.id, limit + 1);
      const total = this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM conversations').get()!.n;
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      const nextCursor = rows.length > limit && last !== undefined ? encodeCursor(last.last_message_at, last.id) : null;
      return ok({ items: page.map(toConversation), nextCursor, total, head });
    })();
  }

  async history(conversationId: string, cursor: string | undefined, limit: number): Promise<Result<Page<Message>>> {
    if (this.conversationById.get(conversationId) === undefined) return fail('not_found', 'conversation not found');
    const before = cursor === undefined ? null : decodeCursor(cursor);
    if (cursor !== undefined && before === null) return fail('invalid_input', 'cursor is not one this relay issued');
    const rows =
      before === null
        ? this.db
            .prepare<[string, number], MessageRow>('SELECT * FROM messages WHERE conversation_id = ? ORDER BY created_at DESC, id DESC LIMIT ?')
            .all(conversationId, limit + 1)
        : this.db
            .prepare<[string, number, number, string, number], MessageRow>(
              `SELECT * FROM messages WHERE conversation_id = ? AND (created_at < ? OR (created_at = ? AND id < ?))
               ORDER BY created_at DESC, id DESC LIMIT ?`,
            )
            .all(conversationId, before.time, before.time, before.id, limit + 1);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return ok({ items: page.map(toMessage), nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last.created_at, last.id) : null });
  }

  // ---- outbound queue ----

  async dueJobs(now: number, limit: number): Promise<OutboundJob[]> {
    // Only the oldest job of each conversation may go: per-conversation order is a promise to the agent.
    const rows = this.db
      .prepare<
        [number, number],
        { message_id: string; conversation_id: string; attempts: number; wa_id: string; content: string; reply_to_id: string | null; wamid: string | null }
      >(
        `SELECT j.message_id, j.conversation_id, j.attempts, c.wa_id, m.content, m.reply_to_id, m.wamid
         FROM outbound_jobs j JOIN messages m ON m.id = j.message_id JOIN conversations c ON c.id = j.conversation_id
         WHERE j.in_flight_since IS NULL AND j.next_attempt_at <= ?
           AND j.queued_seq = (SELECT min(queued_seq) FROM outbound_jobs k WHERE k.conversation_id = j.conversation_id)
         ORDER BY j.queued_seq LIMIT ?`,
      )
      .all(now, limit);
    return rows.map((r) => ({
      messageId: r.message_id,
      conversationId: r.conversation_id,
      to: r.wa_id,
      content: JSON.parse(r.content) as MessageContent,
      replyToWamid: r.reply_to_id === null ? null : (this.messageById.get(r.reply_to_id)?.wamid ?? null),
      attempts: r.attempts,
      wamid: r.wamid,
    }));
  }

  async recoverInFlight(now: number, graceMs: number): Promise<number> {
    return this.db.transaction(() => {
      const recovered = this.db
        .prepare('UPDATE outbound_jobs SET in_flight_since = NULL, next_attempt_at = ? WHERE in_flight_since IS NOT NULL')
        .run(now + graceMs).changes;
      // A job tried before (maybe recovered by an earlier start that died inside its grace) gets the grace again:
      // the webhook proving Meta took it can only arrive while the relay is up, so downtime must not use the grace up.
      this.db.prepare('UPDATE outbound_jobs SET next_attempt_at = ? WHERE attempts > 0 AND next_attempt_at < ?').run(now + graceMs, now + graceMs);
      return recovered;
    })();
  }

  async markInFlight(messageId: string, now: number): Promise<void> {
    this.db.prepare('UPDATE outbound_jobs SET in_flight_since = ?, attempts = attempts + 1 WHERE message_id = ?').run(now, messageId);
  }

  async completeSend(messageId: string, wamid: string, now: number): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM outbound_jobs WHERE message_id = ?').run(messageId);
      this.db.prepare('UPDATE messages SET wamid = ? WHERE id = ? AND wamid IS NULL').run(wamid, messageId);
      this.mergeMessageStatus(messageId, 'sent', null, now);
      // Statuses that raced ahead of the send's own answer.
      const orphans = this.db
        .prepare<[string], { status: MessageStatus; failure: string | null }>('SELECT status, failure FROM orphan_statuses WHERE wamid = ?')
        .all(wamid);
      for (const o of orphans) this.mergeMessageStatus(messageId, o.status, o.failure === null ? null : (JSON.parse(o.failure) as SendFailure), now);
      this.db.prepare('DELETE FROM orphan_statuses WHERE wamid = ?').run(wamid);
    })();
  }

  async failSend(messageId: string, failure: SendFailure, now: number): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM outbound_jobs WHERE message_id = ?').run(messageId);
      this.mergeMessageStatus(messageId, 'failed', failure, now);
    })();
  }

  async rescheduleJob(messageId: string, attempts: number, nextAttemptAt: number): Promise<void> {
    this.db
      .prepare('UPDATE outbound_jobs SET in_flight_since = NULL, attempts = ?, next_attempt_at = ? WHERE message_id = ?')
      .run(attempts, nextAttemptAt, messageId);
  }

  async pendingJobCount(): Promise<number> {
    return this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM outbound_jobs').get()!.n;
  }

  // ---- media ----

  async createUploadedMedia(m: {
    id: string;
    mimeType: string;
    fileName: string;
    size: number;
    sha256: string;
    uploadedBy: string;
    now: number;
  }): Promise<void> {
    this.db
      .prepare(
        "INSERT INTO media (id, origin, mime_type, file_name, size, sha256, state, uploaded_by, created_at) VALUES (?, 'upload', ?, ?, ?, ?, 'ready', ?, ?)",
      )
      .run(m.id, m.mimeType, m.fileName, m.size, m.sha256, m.uploadedBy, m.now);
  }

  async getMedia(id: string): Promise<MediaRecord | null> {
    const row = this.db.prepare<[string], MediaRow>('SELECT * FROM media WHERE id = ?').get(id);
    if (row === undefined) return null;
    return {
      id: row.id,
      waMediaId: row.wa_media_id,
      origin: row.origin,
      mimeType: row.mime_type,
      fileName: row.file_name,
      size: row.size,
      sha256: row.sha256,
      state: row.state,
    };
  }

  async setMediaState(id: string, state: 'ready' | 'failed', details?: { size: number; sha256: string; mimeType: string }): Promise<void> {
    this.db
      .prepare('UPDATE media SET state = ?, size = coalesce(?, size), sha256 = coalesce(?, sha256), mime_type = coalesce(?, mime_type) WHERE id = ?')
      .run(state, details?.size ?? null, details?.sha256 ?? null, details?.mimeType ?? null, id);
  }

  async setMediaWaId(id: string, waMediaId: string): Promise<void> {
    this.db.prepare('UPDATE media SET wa_media_id = ? WHERE id = ?').run(waMediaId, id);
  }

  async pendingInboundMedia(limit: number): Promise<{ mediaId: string; waMediaId: string }[]> {
    return this.db
      .prepare<[number], { mediaId: string; waMediaId: string }>(
        "SELECT id AS mediaId, wa_media_id AS waMediaId FROM media WHERE origin = 'inbound' AND state = 'pending' AND wa_media_id IS NOT NULL LIMIT ?",
      )
      .all(limit);
  }

  async getOrCreateMeta(key: string, create: () => string): Promise<string> {
    const row = this.db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(key);
    if (row !== undefined) return row.value;
    const value = create();
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run(key, value);
    return value;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
