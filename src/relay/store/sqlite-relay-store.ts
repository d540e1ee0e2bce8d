// The relay store on SQLite: the RelayStore port, kept by one module per aggregate; every change appends its event.
import type { Conversation, Message, SendFailure } from '../../shared/domain';
import { fail, type Result } from '../../shared/errors';
import type { WebhookBatch } from '../domain/webhook-types';
import type { RelayDatabase } from './relay-db';
import type { Agent, AgentRecord, MediaRecord, OutboundJob, Page, RelayStore, SendRequest, StoredEvent, WebhookOutcome } from './relay-store';
import { SqliteAgents } from './sqlite-agents';
import { SqliteConversations } from './sqlite-conversations';
import { SqliteCustomers } from './sqlite-customers';
import { SqliteEventLog } from './sqlite-event-log';
import { SqliteInbound } from './sqlite-inbound';
import { SqliteMedia, type UploadedMedia } from './sqlite-media';
import { SqliteOutboundJobs } from './sqlite-outbound-jobs';
import { SqliteRevisions } from './sqlite-revisions';

/**
 * better-sqlite3 is synchronous; the port is async so that a networked store (PostgreSQL) can stand
 * behind it unchanged. Each method is one transaction in the module that owns its tables.
 */
export class SqliteRelayStore implements RelayStore {
  private readonly events: SqliteEventLog;
  private readonly agents: SqliteAgents;
  private readonly media: SqliteMedia;
  private readonly conversations: SqliteConversations;
  private readonly inbound: SqliteInbound;
  private readonly jobs: SqliteOutboundJobs;

  constructor(private readonly db: RelayDatabase) {
    this.events = new SqliteEventLog(db);
    this.agents = new SqliteAgents(db);
    this.media = new SqliteMedia(db);
    this.conversations = new SqliteConversations(db, this.events);
    const customers = new SqliteCustomers(db, this.conversations, this.events);
    const revisions = new SqliteRevisions(db, this.conversations, this.events);
    this.inbound = new SqliteInbound(db, this.conversations, customers, revisions, this.media, this.events);
    this.jobs = new SqliteOutboundJobs(db, this.conversations, customers, this.media, this.events);
  }

  // Agents and devices.
  async addAgent(id: string, name: string, tokenHash: string, now: number): Promise<Result<AgentRecord>> {
    return this.agents.add(id, name, tokenHash, now);
  }
  /** Creates or re-keys an agent (the sandbox's demo agent gets a fresh token each start). */
  async setAgentToken(id: string, name: string, tokenHash: string, now: number): Promise<void> {
    this.agents.setToken(id, name, tokenHash, now);
  }
  async listAgents(): Promise<AgentRecord[]> {
    return this.agents.list();
  }
  async revokeAgent(id: string, now: number): Promise<boolean> {
    return this.agents.revoke(id, now);
  }
  async findAgentByTokenHash(tokenHash: string): Promise<Agent | null> {
    return this.agents.findByTokenHash(tokenHash);
  }
  async isAgentActive(id: string): Promise<boolean> {
    return this.agents.isActive(id);
  }
  async recordDeviceAck(agentId: string, deviceId: string, seq: number, now: number): Promise<void> {
    this.agents.recordDeviceAck(agentId, deviceId, seq, now);
  }

  // The event log.
  async head(): Promise<number> {
    return this.events.head();
  }
  async oldest(): Promise<number> {
    return this.events.oldest();
  }
  async readEvents(afterSeq: number, limit: number): Promise<StoredEvent[]> {
    return this.events.read(afterSeq, limit);
  }
  async pruneEvents(keepLast: number): Promise<number> {
    return this.events.prune(keepLast);
  }

  // WhatsApp → relay.
  async recordWebhook(batch: WebhookBatch, now: number): Promise<WebhookOutcome> {
    return this.inbound.record(batch, now);
  }

  // Agent requests.
  async acceptSend(request: SendRequest): Promise<Result<Message>> {
    return this.jobs.accept(request);
  }
  async markRead(conversationId: string, upToMessageId: string, now: number): Promise<Result<{ conversation: Conversation; wamid: string | null }>> {
    return this.conversations.markRead(conversationId, upToMessageId, now);
  }
  async linkCase(conversationId: string, caseId: string | null, now: number): Promise<Result<Conversation>> {
    return this.conversations.update(conversationId, 'case_id', caseId, now);
  }
  async assign(conversationId: string, agentId: string | null, now: number): Promise<Result<Conversation>> {
    if (agentId !== null && !this.agents.isActive(agentId)) return fail('not_found', 'agent not found');
    return this.conversations.update(conversationId, 'assigned_agent_id', agentId, now);
  }
  async conversationsById(ids: readonly string[]): Promise<Conversation[]> {
    return this.conversations.many(ids);
  }
  async listConversations(cursor: string | undefined, limit: number): Promise<Result<Page<Conversation> & { total: number; head: number }>> {
    return this.conversations.list(cursor, limit);
  }
  async history(conversationId: string, cursor: string | undefined, limit: number): Promise<Result<Page<Message>>> {
    return this.conversations.history(conversationId, cursor, limit);
  }

  // The outbound queue.
  async dueJobs(now: number, limit: number): Promise<OutboundJob[]> {
    return this.jobs.due(now, limit);
  }
  async recoverInFlight(now: number, graceMs: number): Promise<number> {
    return this.jobs.recoverInFlight(now, graceMs);
  }
  async markInFlight(messageId: string, now: number): Promise<void> {
    this.jobs.markInFlight(messageId, now);
  }
  async completeSend(messageId: string, wamid: string, now: number): Promise<void> {
    this.jobs.complete(messageId, wamid, now);
  }
  async failSend(messageId: string, failure: SendFailure, now: number): Promise<void> {
    this.jobs.fail(messageId, failure, now);
  }
  async rescheduleJob(messageId: string, attempts: number, nextAttemptAt: number): Promise<void> {
    this.jobs.reschedule(messageId, attempts, nextAttemptAt);
  }
  async pendingJobCount(): Promise<number> {
    return this.jobs.pendingCount();
  }

  // Media.
  async createUploadedMedia(media: UploadedMedia): Promise<void> {
    this.media.createUploaded(media);
  }
  async getMedia(id: string): Promise<MediaRecord | null> {
    return this.media.get(id);
  }
  async setMediaState(id: string, state: 'ready' | 'failed', details?: { size: number; sha256: string; mimeType: string }): Promise<void> {
    this.media.setState(id, state, details);
  }
  async setMediaWaId(id: string, waMediaId: string): Promise<void> {
    this.media.setWaId(id, waMediaId);
  }
  async pendingInboundMedia(limit: number): Promise<{ mediaId: string; waMediaId: string }[]> {
    return this.media.pendingInbound(limit);
  }

  async getOrCreateMeta(key: string, create: () => string): Promise<string> {
    return this.events.getOrCreateMeta(key, create);
  }
  async close(): Promise<void> {
    this.db.close();
  }
}
