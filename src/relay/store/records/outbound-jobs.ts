// The durable queue to WhatsApp: a send is accepted with its job in one transaction, then drained in order.
import type { Message, SendFailure } from '../../../shared/domain';
import { fail, ok, type AppError, type Result } from '../../../shared/errors';
import { assigneeAfterSend, mediaIdOf, sendContent, sendRefusal } from '../../domain/send-rules';
import { completionStatuses } from '../../domain/status-rules';
import { startRefusal, workRefusal } from '../../domain/work-refusals';
import type { Recipient } from '../../whatsapp/provider';
import type { SqlDatabase } from '../sql/sql-database';
import type { OutboundJob, SendRequest } from '../relay-store';
import type { ConversationRecords } from './conversations';
import type { CustomerRecords } from './customers';
import type { EventLogRecords } from './event-log';
import type { MediaRecords } from './media';
import type { AuditRecords } from './audit';
import type { MembershipRecords } from './memberships';
import { workedConversation } from './ownership';
import type { TeamRecords } from './teams';
import { MAIN_TEAM } from '../migration-3-teams';
import { parseRow, parseRows } from '../../../node-shared/stored-row';
import { Count, DueJobRow, OrphanStatusRow, toMessage, type ConversationRow } from './rows';

/** Whom WhatsApp delivers a conversation's messages to: the group, else the phone number when known, else the BSUID. */
export function recipientOf(row: { group_id: string | null; wa_id: string | null; bsuid: string | null }): Recipient | null {
  if (row.group_id !== null) return { kind: 'group', groupId: row.group_id };
  if (row.wa_id !== null) return { kind: 'phone', waId: row.wa_id };
  if (row.bsuid !== null) return { kind: 'bsuid', bsuid: row.bsuid };
  return null;
}

export class OutboundJobRecords {
  constructor(
    private readonly db: SqlDatabase,
    private readonly conversations: ConversationRecords,
    private readonly customers: CustomerRecords,
    private readonly media: MediaRecords,
    private readonly events: EventLogRecords,
    private readonly access: { memberships: MembershipRecords; teams: TeamRecords; audit: AuditRecords },
  ) {}

  /** Stores the message and its job together, or answers a repeat of the same clientMessageId with the first result. */
  async accept({ agentId, params, requestHash, now, phoneNumberId, phoneNumberOnly, source = null }: SendRequest): Promise<Result<Message>> {
    return this.db.transaction(async (): Promise<Result<Message>> => {
      const existing = await this.conversations.messageById(params.clientMessageId);
      if (existing !== undefined) {
        if (existing.request_hash !== requestHash) {
          return fail('conflict', `clientMessageId ${params.clientMessageId} was already used for a different message`);
        }
        return ok(toMessage(existing)); // a repeat: the first result, as it stands now
      }

      const { conversationId: askedFor, waId } = params;
      const known = askedFor !== undefined ? await this.conversations.byId(askedFor) : await this.byPhoneNumber(phoneNumberId, waId);
      if (known === undefined && askedFor !== undefined) return fail('not_found', 'conversation not found');
      // Checked here, in the send's own transaction: a take-over or revocation just before cannot slip through.
      const refused = await this.refusal(agentId, known, phoneNumberId);
      if (refused !== null) return { ok: false, error: refused };
      const target = known === undefined ? null : { groupId: known.group_id, waId: known.wa_id, lastInboundAt: known.last_inbound_at };
      const notNow = sendRefusal(params.content, target, phoneNumberOnly, now);
      if (notNow !== null) return { ok: false, error: notNow };
      const mediaId = mediaIdOf(params.content);
      const resolved = sendContent(params.content, mediaId === null ? null : await this.media.get(mediaId));
      if (!resolved.ok) return resolved;
      const content = resolved.value;

      let conversation = known;
      if (conversation === undefined) {
        // The params schema asks for a conversation id or a waId; without either there is no one to write to.
        if (waId === undefined) return fail('invalid_input', 'a send names its conversationId or the customer’s waId');
        const customerId = await this.customers.resolve({ waId, bsuid: null }, now, new Set());
        if (customerId === null) return fail('invalid_input', 'waId is not a phone number WhatsApp accepts');
        conversation = await this.conversations.findOrCreate(phoneNumberId, { customerId }, now, now);
      }
      const conversationId = conversation.id;
      let replyToId: string | null = null;
      if (params.replyToId !== undefined) {
        const quoted = await this.conversations.messageById(params.replyToId);
        if (quoted === undefined || quoted.conversation_id !== conversationId) return fail('invalid_input', 'replyToId is not a message of this conversation');
        replyToId = quoted.id;
      }

      await this.db.run(
        `INSERT INTO messages (id, conversation_id, direction, content, status, reply_to_id, sender_agent_id, request_hash, created_at, updated_at)
         VALUES (?, ?, 'out', ?, 'pending', ?, ?, ?, ?, ?)`,
        [params.clientMessageId, conversationId, JSON.stringify(content), replyToId, agentId, requestHash, now, now],
      );
      const message = toMessage(await this.conversations.existingMessage(params.clientMessageId));
      const seq = await this.events.append({ kind: 'message.created', message }, now);
      await this.db.run('INSERT INTO outbound_jobs (message_id, conversation_id, queued_seq, next_attempt_at) VALUES (?, ?, ?, ?)', [
        message.id,
        conversationId,
        seq,
        now,
      ]);
      // Read in this transaction, which writers take one at a time: the assignment cannot have changed since.
      await this.db.run('UPDATE conversations SET assigned_agent_id = ?, last_message_at = greatest(last_message_at, ?), updated_at = ? WHERE id = ?', [
        assigneeAfterSend(conversation.assigned_agent_id, agentId),
        now,
        now,
        conversationId,
      ]);
      await this.conversations.emit(conversationId, now);
      await this.access.audit.append({
        at: now,
        action: 'message.send',
        actorId: agentId,
        source,
        conversationId,
        detail: { messageId: message.id, type: content.type, ...(content.type === 'template' && { template: content.name }) },
      });
      return ok(message);
    });
  }

  /** The sender may reply in this conversation, or start one from this number (it must be their team's). */
  private async refusal(agentId: string, known: ConversationRow | undefined, phoneNumberId: string): Promise<AppError | null> {
    const agent = await this.access.memberships.access(agentId);
    if (known !== undefined) return workRefusal(agent, workedConversation(known), 'send');
    // A number no team serves yet is main's, as findOrCreate files the conversation.
    const team = await this.access.teams.team((await this.access.teams.teamOfNumber(phoneNumberId)) ?? MAIN_TEAM.id);
    if (team === undefined) throw new Error('team main is missing: the relay database is damaged');
    return startRefusal(agent, team);
  }

  /** The conversation with the customer who has this phone number, on our number `phoneNumberId`. */
  private async byPhoneNumber(phoneNumberId: string, waId: string | undefined): Promise<ConversationRow | undefined> {
    const customer = waId === undefined ? undefined : await this.customers.byWaId(waId);
    return customer === undefined ? undefined : this.conversations.find(phoneNumberId, { customerId: customer.id });
  }

  /** `numbers` given: only jobs of conversations on those business numbers (the ones this instance sends for). */
  async due(now: number, limit: number, numbers?: readonly string[]): Promise<OutboundJob[]> {
    if (numbers !== undefined && numbers.length === 0) return [];
    // Only the oldest job of each conversation may go: per-conversation order is a promise to the agent. The quoted
    // message's wamid comes in the same query, not one lookup per job.
    const onNumbers = numbers === undefined ? '' : `AND c.phone_number_id IN ${this.db.dialect.jsonList}`;
    const raw = await this.db.all(
      `SELECT j.message_id, j.conversation_id, c.phone_number_id, j.attempts, cu.wa_id, cu.bsuid, c.group_id, m.content, m.reply_to_id, m.wamid,
         q.wamid AS reply_to_wamid
       FROM outbound_jobs j JOIN messages m ON m.id = j.message_id JOIN conversations c ON c.id = j.conversation_id
       LEFT JOIN customers cu ON cu.id = c.customer_id LEFT JOIN messages q ON q.id = m.reply_to_id
       WHERE j.in_flight_since IS NULL AND j.next_attempt_at <= ?
         AND j.queued_seq = (SELECT min(queued_seq) FROM outbound_jobs k WHERE k.conversation_id = j.conversation_id) ${onNumbers}
       ORDER BY j.queued_seq LIMIT ?`,
      numbers === undefined ? [now, limit] : [now, JSON.stringify(numbers), limit],
    );
    return parseRows('outbound_jobs', DueJobRow, raw).map((r) => ({
      messageId: r.message_id,
      conversationId: r.conversation_id,
      phoneNumberId: r.phone_number_id,
      to: recipientOf(r),
      content: r.content,
      replyToWamid: r.reply_to_wamid,
      attempts: r.attempts,
      wamid: r.wamid,
    }));
  }

  /**
   * Jobs interrupted mid-send (a crash, or an instance that died holding their number): wait `graceMs` for a webhook
   * proving Meta got them. `phoneNumberId` given: only that number's jobs (another instance took it over).
   */
  async recoverInFlight(now: number, graceMs: number, phoneNumberId?: string): Promise<number> {
    const scope = phoneNumberId === undefined ? '' : 'AND conversation_id IN (SELECT id FROM conversations WHERE phone_number_id = ?)';
    const on = phoneNumberId === undefined ? [] : [phoneNumberId];
    return this.db.transaction(async () => {
      const recovered = (
        await this.db.run(`UPDATE outbound_jobs SET in_flight_since = NULL, next_attempt_at = ? WHERE in_flight_since IS NOT NULL ${scope}`, [
          now + graceMs,
          ...on,
        ])
      ).changes;
      // A job tried before (maybe recovered by an earlier start that died inside its grace) gets the grace again:
      // the webhook proving Meta took it can only arrive while the relay is up, so downtime must not use the grace up.
      await this.db.run(`UPDATE outbound_jobs SET next_attempt_at = ? WHERE attempts > 0 AND next_attempt_at < ? ${scope}`, [
        now + graceMs,
        now + graceMs,
        ...on,
      ]);
      return recovered;
    });
  }

  /** Claims the job for one send: false when it is already in flight (another instance, or a stale read, has it). */
  async markInFlight(messageId: string, now: number): Promise<boolean> {
    const run = await this.db.run('UPDATE outbound_jobs SET in_flight_since = ?, attempts = attempts + 1 WHERE message_id = ? AND in_flight_since IS NULL', [
      now,
      messageId,
    ]);
    return run.changes === 1;
  }

  async complete(messageId: string, wamid: string, now: number): Promise<void> {
    await this.db.transaction(async () => {
      await this.db.run('DELETE FROM outbound_jobs WHERE message_id = ?', [messageId]);
      await this.db.run('UPDATE messages SET wamid = ? WHERE id = ? AND wamid IS NULL', [wamid, messageId]);
      // Statuses that raced ahead of the send's own answer are applied after "sent", as if they had come in order.
      const orphans = parseRows(
        'orphan_statuses',
        OrphanStatusRow,
        await this.db.all('SELECT status, failure FROM orphan_statuses WHERE wamid = ? ORDER BY status', [wamid]),
      );
      for (const update of completionStatuses(orphans)) await this.conversations.mergeMessageStatus(messageId, update.status, update.failure, now);
      await this.db.run('DELETE FROM orphan_statuses WHERE wamid = ?', [wamid]);
    });
  }

  async fail(messageId: string, failure: SendFailure, now: number): Promise<void> {
    await this.db.transaction(async () => {
      await this.db.run('DELETE FROM outbound_jobs WHERE message_id = ?', [messageId]);
      await this.conversations.mergeMessageStatus(messageId, 'failed', failure, now);
    });
  }

  async reschedule(messageId: string, attempts: number, nextAttemptAt: number): Promise<void> {
    await this.db.run('UPDATE outbound_jobs SET in_flight_since = NULL, attempts = ?, next_attempt_at = ? WHERE message_id = ?', [
      attempts,
      nextAttemptAt,
      messageId,
    ]);
  }

  async pendingCount(): Promise<number> {
    return parseRow('outbound_jobs', Count, await this.db.get('SELECT CAST(count(*) AS BIGINT) AS n FROM outbound_jobs')).n;
  }
}
