// The relay store on any SqlDatabase (SQLite or PostgreSQL): the RelayStore port, kept by one record module per
// aggregate; every change appends its event. The records hold the SQL; the rules they apply live in ../domain.
import type { Conversation, Message, Role, SendFailure } from '../../shared/domain';
import type { Result } from '../../shared/errors';
import type { WebhookBatch } from '../domain/webhook-types';
import type { SqlDatabase } from './sql/sql-database';
import type * as Port from './relay-store';
import { AgentRecords } from './records/agents';
import { AuditRecords } from './records/audit';
import { ConversationRecords } from './records/conversations';
import { CustomerRecords } from './records/customers';
import { EventLogRecords } from './records/event-log';
import { InboundRecords } from './records/inbound';
import { MediaRecords, type UploadedMedia } from './records/media';
import { MembershipRecords } from './records/memberships';
import { OidcRecords } from './records/oidc';
import { OutboundJobRecords } from './records/outbound-jobs';
import { OwnershipRecords } from './records/ownership';
import { RevisionRecords } from './records/revisions';
import { SessionRecords } from './records/sessions';
import { TeamRecords } from './records/teams';
import { ageConversation, conversationWith } from './records/sandbox-tools';

type Ok<T> = Promise<Result<T>>;

/** Each method is one transaction in the record module that owns its tables; the engine decides what a transaction is. */
export class SqlRelayStore implements Port.RelayStore {
  private readonly events: EventLogRecords;
  private readonly audit: AuditRecords;
  private readonly teams: TeamRecords;
  private readonly memberships: MembershipRecords;
  private readonly agents: AgentRecords;
  private readonly media: MediaRecords;
  private readonly conversations: ConversationRecords;
  private readonly ownership: OwnershipRecords;
  private readonly inbound: InboundRecords;
  private readonly jobs: OutboundJobRecords;
  private readonly sessions: SessionRecords;
  private readonly oidc: OidcRecords;

  constructor(readonly db: SqlDatabase) {
    this.events = new EventLogRecords(db);
    this.audit = new AuditRecords(db);
    this.teams = new TeamRecords(db, this.audit);
    this.memberships = new MembershipRecords(db);
    this.media = new MediaRecords(db);
    this.conversations = new ConversationRecords(db, this.events);
    this.ownership = new OwnershipRecords(db, this.conversations, this.memberships, this.teams, this.events, this.audit);
    this.agents = new AgentRecords(db, this.memberships, this.teams, this.ownership, this.audit);
    const customers = new CustomerRecords(db, this.conversations, this.events);
    const revisions = new RevisionRecords(db, this.conversations, this.events);
    this.inbound = new InboundRecords(db, this.conversations, customers, revisions, this.media, this.events);
    const access = { memberships: this.memberships, teams: this.teams, audit: this.audit };
    this.jobs = new OutboundJobRecords(db, this.conversations, customers, this.media, this.events, access);
    this.sessions = new SessionRecords(db, this.audit);
    this.oidc = new OidcRecords(db, this.memberships, this.teams, this.audit);
  }

  // Device sessions.
  async createDeviceSession(session: Port.NewDeviceSession, audit: Port.AuditEntry): Promise<void> {
    await this.sessions.create(session, audit);
  }
  async sessionToken(tokenHash: string): Promise<Port.SessionTokenRecord | null> {
    return this.sessions.token(tokenHash);
  }
  async markSessionTokenUsed(tokenHash: string, now: number): Promise<boolean> {
    return this.sessions.markUsed(tokenHash, now);
  }
  async refreshDeviceSession(request: Port.RefreshRequest): Promise<Port.RefreshOutcome> {
    return this.sessions.refresh(request);
  }
  async revokeDeviceSession(familyId: string, reason: string, now: number, audit: Port.AuditEntry | null): Promise<boolean> {
    return this.sessions.revoke(familyId, reason, now, audit);
  }
  async deviceSessionStates(familyIds: readonly string[]): Promise<ReadonlyMap<string, Port.DeviceSessionRecord>> {
    return this.sessions.states(familyIds);
  }
  async pruneDeviceSessions(now: number): Promise<number> {
    return this.sessions.prune(now);
  }

  // Agents and devices.
  async addAgent(id: string, name: string, tokenHash: string, now: number, options?: Port.NewAgentOptions): Ok<Port.AgentRecord> {
    return this.agents.add(id, name, tokenHash, now, options);
  }
  /** Creates or re-keys an agent, unaudited (tests, the sandbox's demo agents); a new one joins `teams` with `role`. */
  async setAgentToken(id: string, name: string, tokenHash: string, now: number, teams?: readonly string[], role?: Role): Promise<void> {
    await this.agents.setToken(id, name, tokenHash, now, teams, role);
  }
  async listAgents(): Promise<Port.AgentRecord[]> {
    return this.agents.list();
  }
  async revokeAgent(id: string, now: number, by?: Port.ChangedBy): Ok<{ released: readonly string[] }> {
    return this.agents.revoke(id, now, by);
  }
  async rotateAgentToken(id: string, tokenHash: string, now: number, by?: Port.ChangedBy): Ok<Port.AgentAccess> {
    return this.agents.rotate(id, tokenHash, now, by);
  }
  async setAgentAccess(id: string, change: { teams?: readonly string[]; role?: Role }, now: number, by?: Port.ChangedBy): Ok<Port.AgentAccess> {
    return this.agents.setAccess(id, change, now, by);
  }
  async findAgentByTokenHash(tokenHash: string): Promise<Port.Agent | null> {
    return this.agents.findByTokenHash(tokenHash);
  }
  async isAgentActive(id: string): Promise<boolean> {
    return this.agents.isActive(id);
  }
  async agentAccess(id: string): Promise<Port.AgentAccess | null> {
    return this.memberships.access(id);
  }
  async accessVersions(ids: readonly string[]): Promise<ReadonlyMap<string, number>> {
    return this.memberships.versions(ids);
  }
  async recordDeviceAck(agentId: string, deviceId: string, seq: number, now: number): Promise<void> {
    await this.agents.recordDeviceAck(agentId, deviceId, seq, now);
  }
  async deviceAccessVersion(agentId: string, deviceId: string): Promise<number | null> {
    return this.agents.deviceAccessVersion(agentId, deviceId);
  }
  async recordDeviceAccess(agentId: string, deviceId: string, accessVersion: number, now: number): Promise<void> {
    await this.agents.recordDeviceAccess(agentId, deviceId, accessVersion, now);
  }
  async directory(agentId: string): Promise<Port.Directory | null> {
    return this.memberships.directory(agentId);
  }

  // Teams and numbers.
  async addTeam(id: string, name: string, now: number, by?: Port.ChangedBy): Ok<Port.TeamRecord> {
    return this.teams.add(id, name, now, by);
  }
  async listTeams(): Promise<Port.TeamRecord[]> {
    return this.teams.list();
  }
  async addNumber(number: { phoneNumberId: string; teamId: string; display: string | null }, now: number, by?: Port.ChangedBy): Ok<Port.NumberRecord> {
    return this.teams.addNumber(number, now, by);
  }
  async listNumbers(): Promise<Port.NumberRecord[]> {
    return this.teams.listNumbers();
  }
  async teamOfNumber(phoneNumberId: string): Promise<string | null> {
    return this.teams.teamOfNumber(phoneNumberId);
  }
  async servedNumbers(): Promise<ReadonlySet<string>> {
    return this.teams.served();
  }

  // The event log.
  async head(): Promise<number> {
    return this.events.head();
  }
  async oldest(): Promise<number> {
    return this.events.oldest();
  }
  async readEvents(afterSeq: number, limit: number): Promise<Port.StoredEvent[]> {
    return this.events.read(afterSeq, limit);
  }
  async readEventsFor(teamIds: readonly string[], afterSeq: number, limit: number): Promise<Port.AudienceRead> {
    return this.events.readFor(teamIds, afterSeq, limit);
  }
  async pruneEvents(keepLast: number): Promise<number> {
    return this.events.prune(keepLast);
  }

  // WhatsApp → relay.
  async recordWebhook(batch: WebhookBatch, now: number): Promise<Port.WebhookOutcome> {
    return this.inbound.record(batch, now);
  }

  // Agent requests.
  async acceptSend(request: Port.SendRequest): Ok<Message> {
    return this.jobs.accept(request);
  }
  async markRead(conversationId: string, upToMessageId: string, now: number, actor?: Port.Actor) {
    return this.ownership.markRead(conversationId, upToMessageId, now, actor);
  }
  async linkCase(conversationId: string, caseId: string | null, now: number, actor?: Port.Actor): Ok<Conversation> {
    return this.ownership.linkCase(conversationId, caseId, now, actor);
  }
  async assign(conversationId: string, agentId: string | null, now: number, options?: Port.AssignOptions): Ok<Conversation> {
    return this.ownership.assign(conversationId, agentId, now, options);
  }
  async transfer(conversationId: string, teamId: string, now: number, actor?: Port.Actor): Ok<Conversation> {
    return this.ownership.transfer(conversationId, teamId, now, actor);
  }
  async conversationAccess(conversationId: string): Promise<Port.ConversationAccess | null> {
    const row = await this.conversations.byId(conversationId);
    if (row === undefined) return null;
    return { id: row.id, team: { id: row.team_id, name: row.team_name }, assignedAgentId: row.assigned_agent_id, phoneNumberId: row.phone_number_id };
  }
  async conversationsById(ids: readonly string[]): Promise<Conversation[]> {
    return this.conversations.many(ids);
  }
  async listConversations(
    cursor: string | undefined,
    limit: number,
    teamIds?: readonly string[],
  ): Ok<Port.Page<Conversation> & { total: number; head: number }> {
    return this.conversations.list(cursor, limit, teamIds);
  }
  async history(conversationId: string, cursor: string | undefined, limit: number): Ok<Port.Page<Message>> {
    return this.conversations.history(conversationId, cursor, limit);
  }
  /** The sandbox only: the customer last wrote `hours` ago (their 24-hour window closes), announced to the team. */
  async ageConversation(conversationId: string, hours: number, now: number): Ok<Conversation> {
    return ageConversation(this.db, this.conversations, conversationId, hours, now);
  }
  /** The sandbox only: the conversation of our number with this customer (phone number or BSUID). */
  async conversationWith(phoneNumberId: string, address: string): Promise<string | null> {
    return conversationWith(this.db, phoneNumberId, address);
  }

  // The outbound queue.
  async dueJobs(now: number, limit: number, numbers?: readonly string[]): Promise<Port.OutboundJob[]> {
    return this.jobs.due(now, limit, numbers);
  }
  async recoverInFlight(now: number, graceMs: number, phoneNumberId?: string): Promise<number> {
    return this.jobs.recoverInFlight(now, graceMs, phoneNumberId);
  }
  async markInFlight(messageId: string, now: number): Promise<boolean> {
    return this.jobs.markInFlight(messageId, now);
  }
  async completeSend(messageId: string, wamid: string, now: number): Promise<void> {
    await this.jobs.complete(messageId, wamid, now);
  }
  async failSend(messageId: string, failure: SendFailure, now: number): Promise<void> {
    await this.jobs.fail(messageId, failure, now);
  }
  async rescheduleJob(messageId: string, attempts: number, nextAttemptAt: number): Promise<void> {
    await this.jobs.reschedule(messageId, attempts, nextAttemptAt);
  }
  async pendingJobCount(): Promise<number> {
    return this.jobs.pendingCount();
  }
  // Media.
  async createUploadedMedia(media: UploadedMedia): Promise<void> {
    await this.media.createUploaded(media);
  }
  async getMedia(id: string): Promise<Port.MediaRecord | null> {
    return this.media.get(id);
  }
  async setMediaState(id: string, state: 'ready' | 'failed', details?: { size: number; sha256: string; mimeType: string }): Promise<void> {
    await this.media.setState(id, state, details);
  }
  async setMediaWaId(id: string, waMediaId: string): Promise<void> {
    await this.media.setWaId(id, waMediaId);
  }
  async pendingInboundMedia(limit: number): Promise<{ mediaId: string; waMediaId: string }[]> {
    return this.media.pendingInbound(limit);
  }
  async uploadUsage(agentId: string, since: number): Promise<{ files: number; bytes: number; oldestAt: number | null }> {
    return this.media.uploadUsage(agentId, since);
  }
  async expireUploads(createdBefore: number, limit: number): Promise<string[]> {
    return this.media.expireUploads(createdBefore, limit);
  }
  async mediaAccess(mediaId: string): Promise<Port.MediaAccess | null> {
    return this.media.access(mediaId);
  }

  // Single sign-on.
  async savePendingOidcLogin(login: Port.PendingOidcLogin, maxAgeMs: number): Promise<void> {
    await this.oidc.savePending(login, maxAgeMs);
  }
  async takePendingOidcLogin(state: string, now: number, maxAgeMs: number): Ok<Port.PendingOidcLogin> {
    return this.oidc.takePending(state, now, maxAgeMs);
  }
  async findSsoAgent(name: string): Promise<Port.SsoAgent | null> {
    return this.oidc.findSsoAgent(name);
  }
  async bindSsoSubject(agentId: string, issuer: string, subject: string): Promise<boolean> {
    return this.oidc.bindSubject(agentId, issuer, subject);
  }
  async setAgentSsoLogin(agentId: string, login: string | null, now: number, by?: Port.ChangedBy): Ok<void> {
    return this.oidc.setSsoLogin(agentId, login, now, by);
  }
  async ssoLogins(): Promise<ReadonlyMap<string, string>> {
    return this.oidc.ssoLogins();
  }
  async provisionSsoAgent(agent: Parameters<Port.RelayStore['provisionSsoAgent']>[0], now: number, source: string): Ok<Port.AgentAccess> {
    return this.oidc.provision(agent, now, source);
  }

  // The audit trail.
  async appendAudit(entry: Port.AuditEntry): Promise<void> {
    await this.audit.append(entry);
  }
  async readAudit(query: Port.AuditQuery): Promise<Port.AuditRecord[]> {
    return this.audit.read(query);
  }

  async getOrCreateMeta(key: string, create: () => string): Promise<string> {
    return this.events.getOrCreateMeta(key, create);
  }
  async close(): Promise<void> {
    await this.db.close();
  }
}
