// The relay's storage port: domain operations, each atomic, so another database can stand behind it.
import type { Conversation, Message, MessageContent, SendFailure } from '../../shared/domain';
import type { Result } from '../../shared/errors';
import type { MethodParams } from '../../shared/protocol-methods';
import type { WebhookBatch } from '../domain/webhook-types';
import type { Recipient } from '../whatsapp/provider';

export interface Agent {
  readonly id: string;
  readonly name: string;
}

export interface AgentRecord extends Agent {
  readonly createdAt: number;
  readonly revokedAt: number | null;
}

export interface StoredEvent {
  readonly seq: number;
  /** The event as JSON, exactly as stored: sent on the wire without re-serialising. */
  readonly json: string;
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
  /**
   * The content can only go to a phone number (Meta: authentication templates): refused, with words, for a customer
   * WhatsApp knows to us by BSUID only and for a group.
   */
  readonly phoneNumberOnly: boolean;
}

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

export interface RelayStore {
  // Agents and devices.
  addAgent(id: string, name: string, tokenHash: string, now: number): Promise<Result<AgentRecord>>;
  listAgents(): Promise<AgentRecord[]>;
  revokeAgent(id: string, now: number): Promise<boolean>;
  findAgentByTokenHash(tokenHash: string): Promise<Agent | null>;
  isAgentActive(id: string): Promise<boolean>;
  recordDeviceAck(agentId: string, deviceId: string, seq: number, now: number): Promise<void>;

  // The event log.
  head(): Promise<number>;
  oldest(): Promise<number>;
  readEvents(afterSeq: number, limit: number): Promise<StoredEvent[]>;
  pruneEvents(keepLast: number): Promise<number>;

  // WhatsApp → relay.
  recordWebhook(batch: WebhookBatch, now: number): Promise<WebhookOutcome>;

  // Agent requests.
  acceptSend(request: SendRequest): Promise<Result<Message>>;
  /** `wamid` is what to mark read at WhatsApp: null when there is nothing to tell it (Meta has no read receipts in groups). */
  markRead(conversationId: string, upToMessageId: string, now: number): Promise<Result<{ conversation: Conversation; wamid: string | null }>>;
  linkCase(conversationId: string, caseId: string | null, now: number): Promise<Result<Conversation>>;
  assign(conversationId: string, agentId: string | null, now: number): Promise<Result<Conversation>>;
  /** The conversations with these ids as they are now; unknown ids are left out. */
  conversationsById(ids: readonly string[]): Promise<Conversation[]>;
  listConversations(cursor: string | undefined, limit: number): Promise<Result<Page<Conversation> & { total: number; head: number }>>;
  history(conversationId: string, cursor: string | undefined, limit: number): Promise<Result<Page<Message>>>;

  // The outbound queue.
  dueJobs(now: number, limit: number): Promise<OutboundJob[]>;
  /** Jobs interrupted mid-send by a crash: wait `graceMs` for a webhook that proves Meta got them. */
  recoverInFlight(now: number, graceMs: number): Promise<number>;
  markInFlight(messageId: string, now: number): Promise<void>;
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

  /** A value kept with the data (e.g. the salt for pseudonymising phone numbers in logs). */
  getOrCreateMeta(key: string, create: () => string): Promise<string>;
  close(): Promise<void>;
}
