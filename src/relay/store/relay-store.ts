// The relay's storage port: domain operations, each atomic, so another database can stand behind it.
import type { Conversation, Message, MessageContent, Role, SendFailure } from '../../shared/domain';
import type { Result } from '../../shared/errors';
import type { MethodParams } from '../../shared/protocol-methods';
import type { WebhookBatch } from '../domain/webhook-types';
import type { Recipient } from '../whatsapp/provider';
import type {
  Actor,
  AgentAccess,
  ChangedBy,
  AuditEntry,
  AuditQuery,
  AuditRecord,
  ConversationAccess,
  Directory,
  MediaAccess,
  NumberRecord,
  TeamRecord,
} from './access-types';
import type { DeviceSessionRecord, NewDeviceSession, RefreshOutcome, RefreshRequest, SessionTokenRecord } from './session-types';

export type * from './access-types';
export type * from './session-types';

export interface Agent {
  readonly id: string;
  readonly name: string;
}

export interface AgentRecord extends Agent {
  readonly createdAt: number;
  readonly revokedAt: number | null;
  readonly role: Role;
  readonly teamIds: readonly string[];
  readonly accessVersion: number;
}

export interface StoredEvent {
  readonly seq: number;
  /** The event as JSON, exactly as stored: sent on the wire without re-serialising. */
  readonly json: string;
}

/** Events one audience may see, and how far the log was read for it. */
export interface AudienceRead {
  readonly events: StoredEvent[];
  /**
   * Every seq up to this one was considered: the ones missing from `events` are for other teams (a device is told
   * `events.skipped` for them). A device pages on from here until it reaches the head (it may stop short of the head
   * when read events were left out, e.g. a transfer's removal): each event of its teams is seen once.
   */
  readonly throughSeq: number;
}

export interface MediaRecord {
  readonly id: string;
  readonly waMediaId: string | null;
  readonly origin: 'inbound' | 'upload';
  readonly mimeType: string;
  readonly fileName: string | null;
  readonly size: number | null;
  readonly sha256: string | null;
  readonly state: 'pending' | 'ready' | 'failed';
}

/** An outbound message waiting for the Graph API, with everything needed to send it. */
export interface OutboundJob {
  readonly messageId: string;
  readonly conversationId: string;
  /** Our business number the conversation is with: the message leaves from it (POST /{phoneNumberId}/messages). */
  readonly phoneNumberId: string;
  /** Whom WhatsApp is asked to deliver to; null when the conversation names nobody (the schema's checks prevent it). */
  readonly to: Recipient | null;
  readonly content: MessageContent;
  readonly replyToWamid: string | null;
  readonly attempts: number;
  /** Set when the relay has already learned the wamid of this send (reconciled from a webhook). */
  readonly wamid: string | null;
}

export interface WebhookOutcome {
  /** Inbound media to fetch from WhatsApp, now that the messages referring to it are stored. */
  readonly mediaToFetch: readonly { mediaId: string; waMediaId: string }[];
  /** Whether anything changed (false for a repeated delivery). */
  readonly changed: boolean;
  /** Items the store could not file (e.g. a sender with no usable id): the route logs and counts them like skipped ones. */
  readonly unfiled: readonly { readonly wamid: string; readonly reason: string }[];
}

export interface SendRequest {
  readonly agentId: string;
  readonly params: MethodParams<'messages.send'>;
  /** Fingerprint of the request's content: a repeat with another fingerprint is a conflict. */
  readonly requestHash: string;
  readonly now: number;
  /** Our business number (`phone_number_id`) a new conversation is started from. */
  readonly phoneNumberId: string;
  /** Content only a phone number may receive (Meta: authentication templates): refused for a BSUID-only customer or a group. */
  readonly phoneNumberOnly: boolean;
  /** Where the request came from, for the audit trail. */
  readonly source?: string | null;
}

export interface AssignOptions {
  /** Given: the store checks the actor's rights (need-to-know, ownership) and audits the change. */
  readonly actor?: Actor;
  /** The agent confirmed taking a conversation assigned to someone else; without it that is a `conflict` naming them. */
  readonly takeOver?: boolean;
}

export interface NewAgentOptions {
  /** Default ['main']. Each must exist: `not_found` naming the first that does not. */
  readonly teams?: readonly string[];
  /** Default 'agent'. */
  readonly role?: Role;
  readonly by?: ChangedBy;
}

/** A started single sign-on, until the console comes back with the provider's code (10 minutes, one use). */
export interface PendingOidcLogin {
  readonly state: string;
  /** The PKCE code verifier: it never leaves the relay. */
  readonly verifier: string;
  readonly nonce: string;
  readonly redirectUri: string;
  /** The device that started it: the session goes to that device only (null: not named). */
  readonly deviceId: string | null;
  readonly createdAt: number;
}

/** An agent as single sign-on finds it: access, the name it signs in with, and the subject bound at first sign-in. */
export interface SsoAgent {
  readonly access: AgentAccess;
  readonly ssoLogin: string | null;
  readonly bound: { readonly issuer: string; readonly subject: string } | null;
}

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

export interface RelayStore {
  // Agents and devices. A new agent is in team `main` with role `agent` unless told otherwise.
  addAgent(id: string, name: string, tokenHash: string, now: number, options?: NewAgentOptions): Promise<Result<AgentRecord>>;
  listAgents(): Promise<AgentRecord[]>;
  /**
   * Revokes the token, bumps access_version (live sessions close), and returns the agent's conversations to their
   * teams' queues (unassigned; each announced). `not_found` when there is no active agent with this id.
   */
  revokeAgent(id: string, now: number, by?: ChangedBy): Promise<Result<{ released: readonly string[] }>>;
  /** A new token for the agent (re-activating a revoked one); the old token stops working; conversations are kept. */
  rotateAgentToken(id: string, tokenHash: string, now: number, by?: ChangedBy): Promise<Result<AgentAccess>>;
  /**
   * Changes an agent's teams and/or role (teams must exist: `not_found` naming the first that does not). Bumps
   * access_version when anything changed; conversations of teams the agent left (all, for an admin) are released.
   */
  setAgentAccess(id: string, change: { teams?: readonly string[]; role?: Role }, now: number, by?: ChangedBy): Promise<Result<AgentAccess>>;
  findAgentByTokenHash(tokenHash: string): Promise<Agent | null>;
  isAgentActive(id: string): Promise<boolean>;
  /** Role, teams and access_version of an agent (revoked ones too); null when there is no such agent. */
  agentAccess(id: string): Promise<AgentAccess | null>;
  /** access_version of each of these agents, in one read (unknown ids left out): what live sessions watch. */
  accessVersions(ids: readonly string[]): Promise<ReadonlyMap<string, number>>;
  recordDeviceAck(agentId: string, deviceId: string, seq: number, now: number): Promise<void>;
  /** The agent's access_version when this device last connected; null for a device never seen (or seen before schema 3). */
  deviceAccessVersion(agentId: string, deviceId: string): Promise<number | null>;
  recordDeviceAccess(agentId: string, deviceId: string, accessVersion: number, now: number): Promise<void>;
  /** Me, my colleagues and every team (directory.get); null for an unknown or revoked agent. */
  directory(agentId: string): Promise<Directory | null>;

  // Device sessions (sign-in): tokens only as hashes; revoking or re-keying an agent revokes their sessions.
  /** A sign-in: the session, its first access and refresh tokens and the audit entry, in one transaction. */
  createDeviceSession(session: NewDeviceSession, audit: AuditEntry): Promise<void>;
  /** The access or refresh token with this hash, with its session; null when unknown. */
  sessionToken(tokenHash: string): Promise<SessionTokenRecord | null>;
  /** Notes an access token's first use; false when it was revoked (replaced by a retried refresh). */
  markSessionTokenUsed(tokenHash: string, now: number): Promise<boolean>;
  /** Spends a refresh token for a new pair; a spent one presented again revokes the family and is audited. */
  refreshDeviceSession(request: RefreshRequest): Promise<RefreshOutcome>;
  /** Ends a session; false when it had already ended. `audit` commits with the change. */
  revokeDeviceSession(familyId: string, reason: string, now: number, audit: AuditEntry | null): Promise<boolean>;
  /** These sessions now (unknown ids left out), in one read: what live sockets opened with an access token watch. */
  deviceSessionStates(familyIds: readonly string[]): Promise<ReadonlyMap<string, DeviceSessionRecord>>;
  /** Forgets sessions (and their tokens) that ended over a day ago. */
  pruneDeviceSessions(now: number): Promise<number>;

  // Teams and numbers (the CLI; each change is audited).
  addTeam(id: string, name: string, now: number, by?: ChangedBy): Promise<Result<TeamRecord>>;
  listTeams(): Promise<TeamRecord[]>;
  /** Registers one of our business numbers in a team (`not_found` naming a team that does not exist, `conflict` if known). */
  addNumber(number: { phoneNumberId: string; teamId: string; display: string | null }, now: number, by?: ChangedBy): Promise<Result<NumberRecord>>;
  listNumbers(): Promise<NumberRecord[]>;
  /** The team answering this business number; null when the relay does not serve it (its deliveries are dropped). */
  teamOfNumber(phoneNumberId: string): Promise<string | null>;
  /** Every number the relay serves (what the webhook keeps). */
  servedNumbers(): Promise<ReadonlySet<string>>;

  // The event log.
  head(): Promise<number>;
  oldest(): Promise<number>;
  /** Every event, whatever its audience (tests, tools). Devices read through readEventsFor. */
  readEvents(afterSeq: number, limit: number): Promise<StoredEvent[]>;
  /**
   * The events after `afterSeq` whose audience includes one of these teams (and not, by `unless`, one of them), oldest
   * first, at most `limit`: one index range per team (events by team_id, seq), never a scan of other teams' events.
   */
  readEventsFor(teamIds: readonly string[], afterSeq: number, limit: number): Promise<AudienceRead>;
  pruneEvents(keepLast: number): Promise<number>;

  // WhatsApp → relay.
  recordWebhook(batch: WebhookBatch, now: number): Promise<WebhookOutcome>;

  // Agent requests. Sends always check the sender's rights; the others do when given an actor (and then audit).
  acceptSend(request: SendRequest): Promise<Result<Message>>;
  /** `wamid` is what to mark read at WhatsApp: null when there is nothing to tell it (Meta has no read receipts in groups). */
  markRead(
    conversationId: string,
    upToMessageId: string,
    now: number,
    actor?: Actor,
  ): Promise<Result<{ conversation: Conversation; wamid: string | null; phoneNumberId: string }>>;
  linkCase(conversationId: string, caseId: string | null, now: number, actor?: Actor): Promise<Result<Conversation>>;
  /** agentId null releases the conversation to its team's queue. */
  assign(conversationId: string, agentId: string | null, now: number, options?: AssignOptions): Promise<Result<Conversation>>;
  /**
   * Moves a conversation to another team (a supervisor of its team, when an actor is given), unassigned: the old team
   * is told `conversation.removed` (unless also in the new one), the new team `conversation.upserted`.
   */
  transfer(conversationId: string, teamId: string, now: number, actor?: Actor): Promise<Result<Conversation>>;
  /** The conversation's team, assignee and number; null when there is no such conversation. */
  conversationAccess(conversationId: string): Promise<ConversationAccess | null>;
  /** The conversations with these ids as they are now; unknown ids are left out. */
  conversationsById(ids: readonly string[]): Promise<Conversation[]>;
  /** `teamIds` given: only those teams' conversations (and `total` counts only them). */
  listConversations(
    cursor: string | undefined,
    limit: number,
    teamIds?: readonly string[],
  ): Promise<Result<Page<Conversation> & { total: number; head: number }>>;
  history(conversationId: string, cursor: string | undefined, limit: number): Promise<Result<Page<Message>>>;

  // The outbound queue.
  /** Each conversation's oldest due job; `numbers` given, only conversations on those business numbers. */
  dueJobs(now: number, limit: number, numbers?: readonly string[]): Promise<OutboundJob[]>;
  /**
   * Jobs interrupted mid-send by a crash: wait `graceMs` for a webhook that proves Meta got them. `phoneNumberId`
   * given: only that number's (an instance taking over a number another one held when it died).
   */
  recoverInFlight(now: number, graceMs: number, phoneNumberId?: string): Promise<number>;
  /** Claims a job for one send; false when it is already in flight, and then it must not be sent. */
  markInFlight(messageId: string, now: number): Promise<boolean>;
  completeSend(messageId: string, wamid: string, now: number): Promise<void>;
  failSend(messageId: string, failure: SendFailure, now: number): Promise<void>;
  rescheduleJob(messageId: string, attempts: number, nextAttemptAt: number): Promise<void>;
  pendingJobCount(): Promise<number>;

  // Media.
  createUploadedMedia(media: { id: string; mimeType: string; fileName: string; size: number; sha256: string; uploadedBy: string; now: number }): Promise<void>;
  getMedia(id: string): Promise<MediaRecord | null>;
  setMediaState(id: string, state: 'ready' | 'failed', details?: { size: number; sha256: string; mimeType: string }): Promise<void>;
  setMediaWaId(id: string, waMediaId: string): Promise<void>;
  pendingInboundMedia(limit: number): Promise<{ mediaId: string; waMediaId: string }[]>;
  /** Who may download this media; null when there is no such media. */
  mediaAccess(mediaId: string): Promise<MediaAccess | null>;
  /** Files and bytes the agent uploaded at or after `since`, and when the oldest of them was made: the upload quota. */
  uploadUsage(agentId: string, since: number): Promise<{ files: number; bytes: number; oldestAt: number | null }>;
  /** Deletes up to `limit` uploads made before `createdBefore` that no message refers to; their ids (files go next). */
  expireUploads(createdBefore: number, limit: number): Promise<string[]>;

  // Single sign-on (schema 5).
  /** Keeps a started login, dropping any older than `maxAgeMs` (abandoned sign-ins). */
  savePendingOidcLogin(login: PendingOidcLogin, maxAgeMs: number): Promise<void>;
  /** Takes the login once: `unauthorized` (with the reason) when unknown, already used or older than `maxAgeMs`. */
  takePendingOidcLogin(state: string, now: number, maxAgeMs: number): Promise<Result<PendingOidcLogin>>;
  /** The agent whose SSO login is `name` (any case), else whose id is `name`; revoked agents too; null for nobody. */
  findSsoAgent(name: string): Promise<SsoAgent | null>;
  /** Binds issuer + subject to an agent with none; false when the agent is bound to another subject. */
  bindSsoSubject(agentId: string, issuer: string, subject: string): Promise<boolean>;
  /** The name an agent signs in with at the bank (null clears it); `conflict` when another agent has it. Audited. */
  setAgentSsoLogin(agentId: string, login: string | null, now: number, by?: ChangedBy): Promise<Result<void>>;
  ssoLogins(): Promise<ReadonlyMap<string, string>>;
  /** Creates an SSO agent the bank's groups grant teams to (audited `agent.provisioned`); `forbidden` for an unknown team. */
  provisionSsoAgent(
    agent: { id: string; name: string; ssoLogin: string; issuer: string; subject: string; teams: readonly string[]; role: Role },
    now: number,
    source: string,
  ): Promise<Result<AgentAccess>>;

  // The audit trail: append-only (the database refuses UPDATE and DELETE).
  appendAudit(entry: AuditEntry): Promise<void>;
  /** Oldest first. */
  readAudit(query: AuditQuery): Promise<AuditRecord[]>;

  /** A value kept with the data (e.g. the salt for pseudonymising phone numbers in logs). */
  getOrCreateMeta(key: string, create: () => string): Promise<string>;
  close(): Promise<void>;
}
