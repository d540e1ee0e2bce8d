// What a webhook delivery writes: inbound messages (once per wamid) in the customer's or group's conversation, edits
// and deletions, merged statuses, identity changes and marketing preferences.
import type { MessageContent, Participant } from '../../../shared/domain';
import { Bsuid, WaId } from '../../../shared/domain';
import { uuidv7 } from '../../../shared/uuidv7';
import type { AccountEvent, InboundContent, InboundItem, StatusItem, WebhookBatch } from '../../domain/webhook-types';
import type { SqlDatabase } from '../sql/sql-database';
import type { WebhookOutcome } from '../relay-store';
import type { Counterpart, ConversationRecords } from './conversations';
import type { CustomerRecords } from './customers';
import type { EventLogRecords } from './event-log';
import type { MediaRecords } from './media';
import type { RevisionRecords } from './revisions';
import { toMessage } from './rows';
import { adoptsLostSend } from '../../domain/status-rules';

type MediaToFetch = { mediaId: string; waMediaId: string }[];

/** What one delivery has touched so far: conversations and customers to announce once, at the end. */
interface Progress {
  readonly now: number;
  readonly mediaToFetch: MediaToFetch;
  readonly conversations: Set<string>;
  readonly customers: Set<string>;
}

export const NO_USABLE_ID = 'names no valid phone number or BSUID';

// Run for every message of a delivery (up to 1,000); the engine prepares each once.
const TOUCH_SQL = `UPDATE conversations SET last_inbound_at = CASE WHEN ? = 1 THEN greatest(coalesce(last_inbound_at, 0), ?) ELSE last_inbound_at END,
  last_message_at = greatest(last_message_at, ?), updated_at = ? WHERE id = ?`;
const INSERT_SQL = `INSERT INTO messages (id, conversation_id, direction, wamid, content, status, reply_to_id, author, created_at, updated_at)
  VALUES (?, ?, 'in', ?, ?, 'delivered', ?, ?, ?, ?)`;

export class InboundRecords {
  constructor(
    private readonly db: SqlDatabase,
    private readonly conversations: ConversationRecords,
    private readonly customers: CustomerRecords,
    private readonly revisions: RevisionRecords,
    private readonly media: MediaRecords,
    private readonly events: EventLogRecords,
  ) {}

  /** One transaction per delivery: Meta hears 200 only once all of it is stored. */
  async record(batch: WebhookBatch, now: number): Promise<WebhookOutcome> {
    return this.db.transaction(async (): Promise<WebhookOutcome> => {
      const progress: Progress = { now, mediaToFetch: [], conversations: new Set(), customers: new Set() };
      const unfiled: { wamid: string; reason: string }[] = [];
      let changed = false;
      for (const item of batch.messages) {
        if ((await this.conversations.messageByWamid(item.wamid)) !== undefined) continue; // Meta repeats deliveries
        if (await this.storeMessage(item, progress)) changed = true;
        else unfiled.push({ wamid: item.wamid, reason: NO_USABLE_ID });
      }
      // After the messages: an edit delivered together with its original applies to it at once.
      for (const revision of batch.revisions) {
        const content = revision.content === null ? null : await this.content(revision.content, progress);
        changed =
          (await this.revisions.record(
            { wamid: revision.wamid, kind: revision.kind, targetWamid: revision.targetWamid, content, at: revision.timestamp },
            now,
          )) || changed;
      }
      for (const status of batch.statuses) changed = (await this.applyStatus(status, progress)) || changed;
      for (const event of batch.accountEvents) changed = (await this.applyAccountEvent(event, progress)) || changed;

      for (const customerId of progress.customers) {
        for (const id of await this.conversations.idsOfCustomer(customerId)) progress.conversations.add(id);
      }
      // A conversation merged into another during this delivery is gone, and was announced as removed.
      for (const id of progress.conversations) if ((await this.conversations.byId(id)) !== undefined) await this.conversations.emit(id, now);
      return { mediaToFetch: progress.mediaToFetch, changed: changed || progress.conversations.size > 0, unfiled };
    });
  }

  /** Files one message in its conversation; false when it names nobody the relay can address. */
  private async storeMessage(item: InboundItem, progress: Progress): Promise<boolean> {
    const { now } = progress;
    let counterpart: Counterpart;
    let author: Participant | null = null;
    if (item.groupId !== null) {
      counterpart = { groupId: item.groupId };
      author = { waId: valid(WaId, item.from.waId), bsuid: valid(Bsuid, item.from.bsuid), name: item.from.profileName?.slice(0, 256) ?? null };
    } else {
      const customerId = await this.customerOf(item, progress);
      if (customerId === null) return false;
      counterpart = { customerId };
    }
    const conversation = await this.conversations.findOrCreate(item.phoneNumberId, counterpart, item.timestamp, now);
    // The 24-hour window opens on what the customer says, not on a notice about them (a number change, say).
    const opensWindow = item.content.type !== 'system';
    await this.db.run(TOUCH_SQL, [opensWindow ? 1 : 0, item.timestamp, item.timestamp, now, conversation.id]);
    progress.conversations.add(conversation.id);

    const content = await this.content(item.content, progress);
    const replyToId = item.contextWamid === null ? null : ((await this.conversations.messageByWamid(item.contextWamid))?.id ?? null);
    const id = uuidv7();
    await this.db.run(INSERT_SQL, [
      id,
      conversation.id,
      item.wamid,
      JSON.stringify(content),
      replyToId,
      author === null ? null : JSON.stringify(author),
      item.timestamp,
      now,
    ]);
    // Edits or a deletion that raced ahead of the message: agents first see it as it now stands.
    await this.revisions.apply(id, now);
    await this.events.append({ kind: 'message.created', message: toMessage(await this.conversations.existingMessage(id)) }, now);
    return true;
  }

  /** The sender's customer record; a notice that their number or BSUID changed moves the record along first. */
  private async customerOf(item: InboundItem, progress: Progress): Promise<string | null> {
    const { content } = item;
    if (content.type === 'system' && (content.event === 'number_changed' || content.event === 'user_id_changed')) {
      const next = { waId: content.newWaId ?? null, bsuid: content.newBsuid ?? null };
      return this.customers.relink(content.event, item.from, next, progress.now, progress.customers);
    }
    return this.customers.resolve(item.from, progress.now, progress.customers);
  }

  /** WhatsApp's content in our terms: media by the relay's own id, reactions by our message id. */
  private async content(content: InboundContent, progress: Progress): Promise<MessageContent> {
    switch (content.type) {
      case 'image':
      case 'document':
      case 'audio':
      case 'video':
      case 'sticker': {
        const { mediaId, created } = await this.media.inboundMediaId(content, progress.now);
        if (created) progress.mediaToFetch.push({ mediaId, waMediaId: content.waMediaId });
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
        return { type: 'reaction', emoji: content.emoji, targetMessageId: (await this.conversations.messageByWamid(content.targetWamid))?.id ?? null };
      default:
        return content;
    }
  }

  /** Merges one status webhook; returns whether anything changed. */
  private async applyStatus(status: StatusItem, progress: Progress): Promise<boolean> {
    const { now } = progress;
    let message = await this.conversations.messageByWamid(status.wamid);
    if (message === undefined && status.bizOpaque !== null) {
      // Meta accepted a send whose answer we never received (timeout, crash): adopt its wamid, stop resending.
      const pending = await this.conversations.messageById(status.bizOpaque);
      if (pending !== undefined && adoptsLostSend(pending)) {
        await this.db.run('UPDATE messages SET wamid = ? WHERE id = ?', [status.wamid, pending.id]);
        await this.db.run('DELETE FROM outbound_jobs WHERE message_id = ?', [pending.id]);
        await this.conversations.mergeMessageStatus(pending.id, 'sent', null, now);
        message = await this.conversations.messageById(pending.id);
      }
    }
    if (message === undefined) {
      // Kept for when the send's answer arrives; a repeated delivery of it changes nothing (and says so).
      const kept = await this.db.run(
        'INSERT INTO orphan_statuses (wamid, status, failure, biz_opaque, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (wamid, status) DO NOTHING',
        [status.wamid, status.status, status.failure === null ? null : JSON.stringify(status.failure), status.bizOpaque, status.timestamp],
      );
      return kept.changes > 0;
    }
    // A status naming both the number and the BSUID of a customer we know by one of them links the two.
    const { recipient } = status;
    if (recipient.waId !== null && recipient.bsuid !== null && (await this.conversations.existing(message.conversation_id)).customer_id !== null) {
      await this.customers.resolve({ waId: recipient.waId, bsuid: recipient.bsuid }, now, progress.customers);
    }
    return this.conversations.mergeMessageStatus(message.id, status.status, status.failure, now);
  }

  /** The account events the store keeps (the rest are the route's to log and act on); returns whether anything changed. */
  private async applyAccountEvent(event: AccountEvent, progress: Progress): Promise<boolean> {
    switch (event.kind) {
      case 'marketing_preference':
        return this.customers.recordMarketingPreference(event.user, event.value, event.timestamp, progress.now, progress.customers);
      case 'user_id_changed': {
        const before = progress.customers.size;
        const previous = { waId: event.waId, bsuid: event.previousBsuid };
        await this.customers.relink('user_id_changed', previous, { waId: event.waId, bsuid: event.bsuid }, progress.now, progress.customers);
        return progress.customers.size > before;
      }
      default:
        return false;
    }
  }
}

function valid(schema: typeof WaId | typeof Bsuid, value: string | null): string | null {
  return value !== null && schema.safeParse(value).success ? value : null;
}
