// Sending: text, templates and files saved with their outbox row before anything else, then handed to the relay by
// the outbox drainer (files uploaded first); retry and discard of what failed.
import type { BackoffPolicy } from '../../shared/backoff';
import type { Clock } from '../../shared/clock';
import type { Message, MessageContent, OutboundContent } from '../../shared/domain';
import { appError, type Result } from '../../shared/errors';
import { checkOutboundMedia } from '../../shared/media-limits';
import type { MethodParams } from '../../shared/protocol-methods';
import { isWindowOpen } from '../../shared/service-window';
import { uuidv7 } from '../../shared/uuidv7';
import type { HandlersOf } from './console-service';
import type { Emit } from './event-bus';
import { emptyChanges, type ChangeSet, type LocalStore, type OutboxItem } from './local-store';
import type { OutboxTable, QueueInput } from './local-outbox';
import type { AuthorFilter } from './local-outbox-authors';
import type { OutboxAuthor } from './link-manager';
import { OutboxDrainer, type OutboxStore } from './outbox-drainer';
import type { RelayLink } from './relay-link';
import { ServiceError } from './service-types';
import type { MediaClient } from './relay-media-client';

export interface SendingServiceDeps {
  store: LocalStore;
  link: RelayLink;
  media: MediaClient;
  clock: Clock;
  random: () => number;
  backoff: BackoffPolicy;
  emit: Emit;
  log: (event: string, fields?: Record<string, unknown>) => void;
  /** Where uploads go, and with which token (null while signed out). */
  relay: () => { url: string; token: string } | null;
  /** Who is working here now: what they queue is theirs, and only what is theirs is sent. */
  author: () => OutboxAuthor;
  changed: (changes: ChangeSet, fromRelay: boolean) => void;
  /** The agent sees "queued" at once: flush the batched UI update now. */
  flush: () => void;
  /** The queued count in the status bar changed. */
  queuedChanged: () => void;
}

const OFFLINE_UPLOAD = appError('offline', 'Uploading needs a connection to the relay; try again when the status bar says Live.', true);

export class SendingService {
  readonly drainer: OutboxDrainer;

  constructor(private readonly deps: SendingServiceDeps) {
    this.drainer = new OutboxDrainer({
      store: drainerPort(deps.store.outbox, () => deps.author()),
      link: deps.link,
      clock: deps.clock,
      random: deps.random,
      backoff: deps.backoff,
      concurrency: 8,
      prepare: (item) => this.prepare(item),
      onChanges: (changes) => deps.changed(changes, true),
      log: deps.log,
    });
  }

  readonly handlers: HandlersOf<'messages.sendText' | 'messages.sendTemplate' | 'messages.sendFile' | 'messages.retry' | 'messages.discard'> = {
    'messages.sendText': async ({ conversationId, body, replyToId }) => this.queue(conversationId, { type: 'text', body }, { type: 'text', body }, replyToId),
    'messages.sendTemplate': async ({ conversationId, name, language, parameters }) => {
      const content = { type: 'template' as const, name, language, parameters };
      return this.queue(conversationId, content, content);
    },
    'messages.sendFile': async (input) => this.queueFile(input),
    'messages.retry': async ({ messageId }) => {
      const message = this.deps.store.message(messageId);
      if (message === null || message.status !== 'failed' || message.direction !== 'out')
        throw new ServiceError('invalid_input', 'only a failed message can be retried');
      // Sending it again would put a colleague's words under this agent's name: only its author may (anyone may discard it).
      const queuedBy = this.deps.store.authors.of(messageId);
      const me = this.deps.author().id;
      if (queuedBy !== null && queuedBy.id !== null && queuedBy.id !== me)
        throw new ServiceError('forbidden', `Only ${queuedBy.name ?? 'the colleague who wrote it'} can send this again. You can discard it.`);
      // Sent again as a new message: the failed one is kept out of sight, never resent under its old id.
      const request = outboundOf(message.content);
      this.discard(message.id, true);
      await this.queue(message.conversationId, message.content, request, message.replyToId ?? undefined);
      return { ok: true };
    },
    'messages.discard': async ({ messageId }) => {
      this.discard(messageId, false);
      return { ok: true };
    },
  };

  /** Sends to a WhatsApp id, creating the conversation on the relay if needed (the headless runner's --send). */
  sendToWaId(waId: string, body: string): Message {
    const content: OutboundContent = { type: 'text', body };
    const message = this.deps.store.outbox.queue({ id: uuidv7(), request: { waId, content }, content, ...this.queuedBy(), now: this.deps.clock.wallNow() });
    this.deps.queuedChanged();
    this.drainer.kick();
    return message;
  }

  /**
   * The author of what is queued now. Before a hello confirmed who the token in use belongs to, the row waits for that
   * token's hello (its key), and the message names the agent on record meanwhile: most likely the same person.
   */
  private queuedBy(): Pick<QueueInput, 'agentId' | 'agentName' | 'authorKey' | 'senderGuess'> {
    const author = this.deps.author();
    if (author.id !== null) return { agentId: author.id, agentName: author.name, authorKey: null };
    return { agentId: null, agentName: null, authorKey: author.key, senderGuess: author.onRecord };
  }

  /** Refuses, before anything is saved, a message to a conversation that is not here, or free text outside the 24-hour window. */
  private checkSendable(conversationId: string, freeForm: boolean): void {
    const conversation = this.deps.store.conversation(conversationId);
    if (conversation === null) throw new ServiceError('not_found', 'conversation not found');
    // A conversation started here is not known to the relay yet: the relay, which knows the window, decides.
    if (freeForm && !this.deps.store.outbox.isLocalOnly(conversationId) && !isWindowOpen(conversation.lastInboundAt, this.deps.clock.wallNow())) {
      throw new ServiceError('template_required', 'The customer has not written in the last 24 hours: only a template can be sent.');
    }
  }

  private queue(
    conversationId: string,
    content: MessageContent,
    request: OutboundContent,
    replyToId?: string,
    file?: { bytes: Buffer; mimeType: string; fileName: string },
  ): { message: Message } {
    this.checkSendable(conversationId, request.type !== 'template');
    const message = this.deps.store.outbox.queue({
      id: uuidv7(),
      request: { conversationId, content: request, ...(replyToId !== undefined && { replyToId }) },
      content,
      ...this.queuedBy(),
      now: this.deps.clock.wallNow(),
      ...(file !== undefined && { file }),
    });
    this.deps.changed({ ...emptyChanges(), conversations: new Set([conversationId]), messages: new Map([[message.id, message]]) }, false);
    this.deps.flush();
    this.deps.queuedChanged();
    this.drainer.kick();
    return { message };
  }

  private queueFile(input: { conversationId: string; fileName: string; mimeType: string; dataBase64: string; caption?: string | undefined }): {
    message: Message;
  } {
    // Before the bytes are stored: a refused file must leave nothing behind.
    this.checkSendable(input.conversationId, true);
    const bytes = Buffer.from(input.dataBase64, 'base64');
    const check = checkOutboundMedia(input.mimeType, bytes.length);
    if (!check.ok) throw new ServiceError(check.code, check.message);
    const localId = uuidv7();
    const caption = input.caption !== undefined && input.caption !== '' ? { caption: input.caption } : {};
    const fields = { mediaId: localId, mimeType: input.mimeType, fileName: input.fileName, size: bytes.length, ...caption };
    const content: MessageContent = check.kind === 'image' ? { type: 'image', ...fields } : { type: 'document', ...fields };
    const request: OutboundContent =
      check.kind === 'image' ? { type: 'image', mediaId: localId, ...caption } : { type: 'document', mediaId: localId, fileName: input.fileName, ...caption };
    return this.queue(input.conversationId, content, request, undefined, { bytes, mimeType: input.mimeType, fileName: input.fileName });
  }

  /** Uploads a file queued offline before its message goes to the relay. */
  private async prepare(item: OutboxItem): Promise<Result<MethodParams<'messages.send'>>> {
    let content = item.request.content;
    if (content.type === 'image' || content.type === 'document') {
      const { media } = this.deps.store;
      const state = media.uploadOf(content.mediaId);
      // undefined: not a file queued here (a retry of a message the relay already had): its media id is the relay's.
      let relayMediaId = state === undefined ? content.mediaId : state;
      if (relayMediaId === null) {
        const file = media.get(content.mediaId);
        const relay = this.deps.relay();
        if (file === null) return { ok: false, error: appError('not_found', 'the attached file is no longer on this computer', false) };
        if (relay === null) return { ok: false, error: OFFLINE_UPLOAD };
        const uploaded = await this.deps.media.upload(relay.url, relay.token, {
          bytes: file.bytes,
          mimeType: file.mimeType,
          fileName: file.fileName ?? 'file',
        });
        if (!uploaded.ok) return { ok: false, error: uploaded.error };
        relayMediaId = uploaded.value.mediaId;
        media.setUploaded(content.mediaId, relayMediaId);
      }
      content = { ...content, mediaId: relayMediaId };
    }
    return { ok: true, value: { clientMessageId: item.messageId, ...item.request, content } };
  }

  private discard(messageId: string, keepFile: boolean): void {
    const conversationId = this.deps.store.outbox.discard(messageId, { keepFile });
    if (conversationId === null) throw new ServiceError('invalid_input', 'only a failed or unsent message can be discarded');
    this.deps.emit('messages.removed', { conversationId, messageIds: [messageId] });
    this.deps.changed({ ...emptyChanges(), conversations: new Set([conversationId]) }, false);
    this.deps.queuedChanged();
  }
}

/** The outbox table as the drainer's port: only `author`'s rows (every row when omitted: tests of the drainer alone). */
export function drainerPort(outbox: OutboxTable, author?: () => AuthorFilter): OutboxStore {
  return {
    dueOutbox: (now, limit) => outbox.due(now, limit, author?.()),
    nextOutboxDue: (inFlight) => outbox.nextDue(inFlight, author?.()),
    outboxAccepted: (messageId, relayMessage) => outbox.accepted(messageId, relayMessage),
    outboxRetryLater: (messageId, attempts, at) => outbox.retryLater(messageId, attempts, at),
    outboxFailed: (messageId, failure, now) => outbox.failed(messageId, failure, now),
    pullForwardOutbox: (latest, now) => outbox.pullForward(latest, now),
  };
}

/** What a message the agent sent becomes when sent again. */
function outboundOf(content: MessageContent): OutboundContent {
  switch (content.type) {
    case 'text':
    case 'template':
      return content;
    case 'image':
      return { type: 'image', mediaId: content.mediaId, ...(content.caption !== undefined && { caption: content.caption }) };
    case 'document':
      return {
        type: 'document',
        mediaId: content.mediaId,
        ...(content.fileName !== undefined && { fileName: content.fileName }),
        ...(content.caption !== undefined && { caption: content.caption }),
      };
    default:
      throw new ServiceError('invalid_input', `a ${content.type} message cannot be sent again`);
  }
}
