// What a webhook delivery writes: inbound messages (once per wamid), their media, and merged statuses.
import type { MessageContent } from '../../shared/domain';
import { uuidv7 } from '../../shared/uuidv7';
import type { InboundContent, InboundItem, StatusItem, WebhookBatch } from '../domain/webhook-types';
import type { RelayDatabase } from './relay-db';
import type { WebhookOutcome } from './relay-store';
import type { SqliteConversations } from './sqlite-conversations';
import type { SqliteEventLog } from './sqlite-event-log';
import type { SqliteMedia } from './sqlite-media';
import { toMessage } from './sqlite-rows';

type MediaToFetch = { mediaId: string; waMediaId: string }[];

export class SqliteInbound {
  constructor(
    private readonly db: RelayDatabase,
    private readonly conversations: SqliteConversations,
    private readonly media: SqliteMedia,
    private readonly events: SqliteEventLog,
  ) {}

  /** One transaction per delivery: Meta hears 200 only once all of it is stored. */
  record(batch: WebhookBatch, now: number): WebhookOutcome {
    return this.db.transaction(() => {
      const mediaToFetch: MediaToFetch = [];
      const touched = new Set<string>();
      let changed = false;
      for (const item of batch.messages) {
        if (this.conversations.messageByWamid(item.wamid) !== undefined) continue; // Meta repeats deliveries
        this.storeMessage(item, now, touched, mediaToFetch);
        changed = true;
      }
      for (const status of batch.statuses) changed = this.applyStatus(status, now) || changed;
      for (const id of touched) this.conversations.emit(id, now);
      return { mediaToFetch, changed };
    })();
  }

  private storeMessage(item: InboundItem, now: number, touched: Set<string>, mediaToFetch: MediaToFetch): void {
    const profileName = item.profileName === null ? null : item.profileName.slice(0, 256);
    const known = this.conversations.byWaId(item.from);
    let conversationId: string;
    if (known === undefined) {
      conversationId = uuidv7();
      this.db
        .prepare('INSERT INTO conversations (id, wa_id, customer_name, last_inbound_at, last_message_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(conversationId, item.from, profileName, item.timestamp, item.timestamp, now, now);
    } else {
      conversationId = known.id;
      this.db
        .prepare(
          `UPDATE conversations SET customer_name = coalesce(?, customer_name), last_inbound_at = max(coalesce(last_inbound_at, 0), ?),
           last_message_at = max(last_message_at, ?), updated_at = ? WHERE id = ?`,
        )
        .run(profileName, item.timestamp, item.timestamp, now, conversationId);
    }
    touched.add(conversationId);

    const content = this.content(item.content, now, mediaToFetch);
    const replyToId = item.contextWamid === null ? null : (this.conversations.messageByWamid(item.contextWamid)?.id ?? null);
    const id = uuidv7();
    this.db
      .prepare(
        `INSERT INTO messages (id, conversation_id, direction, wamid, content, status, reply_to_id, created_at, updated_at)
         VALUES (?, ?, 'in', ?, ?, 'delivered', ?, ?, ?)`,
      )
      .run(id, conversationId, item.wamid, JSON.stringify(content), replyToId, item.timestamp, now);
    this.events.append({ kind: 'message.created', message: toMessage(this.conversations.existingMessage(id)) }, now);
  }

  /** WhatsApp's content in our terms: media by the relay's own id, reactions by our message id. */
  private content(content: InboundContent, now: number, mediaToFetch: MediaToFetch): MessageContent {
    switch (content.type) {
      case 'image':
      case 'document':
      case 'audio':
      case 'video':
      case 'sticker': {
        const { mediaId, created } = this.media.inboundMediaId(content, now);
        if (created) mediaToFetch.push({ mediaId, waMediaId: content.waMediaId });
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
        return { type: 'reaction', emoji: content.emoji, targetMessageId: this.conversations.messageByWamid(content.targetWamid)?.id ?? null };
      default:
        return content;
    }
  }

  /** Merges one status webhook; returns whether anything changed. */
  private applyStatus(status: StatusItem, now: number): boolean {
    let message = this.conversations.messageByWamid(status.wamid);
    if (message === undefined && status.bizOpaque !== null) {
      // Meta accepted a send whose answer we never received (timeout, crash): adopt its wamid, stop resending.
      const pending = this.conversations.messageById(status.bizOpaque);
      if (pending !== undefined && pending.direction === 'out' && pending.wamid === null) {
        this.db.prepare('UPDATE messages SET wamid = ? WHERE id = ?').run(status.wamid, pending.id);
        this.db.prepare('DELETE FROM outbound_jobs WHERE message_id = ?').run(pending.id);
        this.conversations.mergeMessageStatus(pending.id, 'sent', null, now);
        message = this.conversations.messageById(pending.id);
      }
    }
    if (message === undefined) {
      this.db
        .prepare('INSERT OR IGNORE INTO orphan_statuses (wamid, status, failure, biz_opaque, at) VALUES (?, ?, ?, ?, ?)')
        .run(status.wamid, status.status, status.failure === null ? null : JSON.stringify(status.failure), status.bizOpaque, status.timestamp);
      return true;
    }
    return this.conversations.mergeMessageStatus(message.id, status.status, status.failure, now);
  }
}
