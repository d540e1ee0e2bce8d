// The console service: the one API the UI uses (src/shared/contract.ts), over the cache, outbox and relay link.
// Every input is parsed here, whatever transport it came by; adapters only forward.
import { DEFAULT_BACKOFF } from '../../shared/backoff';
import { systemClock, type Clock } from '../../shared/clock';
import {
  CONSOLE_METHODS,
  isConsoleMethod,
  type ConnectionState,
  type ConsoleEvent,
  type ConsoleMethod,
  type EventPayload,
  type MethodOutput,
  type AppStatus,
  type Settings,
  type SyncProgress,
  type WireResult,
} from '../../shared/contract';
import type { Message, MessageContent, OutboundContent } from '../../shared/domain';
import { appError, type AppError } from '../../shared/errors';
import { checkOutboundMedia } from '../../shared/media-limits';
import { describeIssues, type HelloFrame, type SequencedEvent } from '../../shared/protocol';
import { isWindowOpen } from '../../shared/service-window';
import { uuidv7 } from '../../shared/uuidv7';
import { ChangeCoalescer } from './change-coalescer';
import { firstSync } from './first-sync';
import { LocalQueries } from './local-queries';
import type { ChangeSet, LocalStore, OutboxItem } from './local-store';
import { OutboxDrainer } from './outbox-drainer';
import type { RelayLink } from './relay-link';
import { ServiceError, connectionStateOf, type ConnectionHandle, type ConnectionFactory, type LinkSnapshot } from './service-types';
import { storageErrorOf } from './storage-error';

export type { ConnectionFactory, ConnectionHandle, LinkSnapshot } from './service-types';

/** Where the agent's relay token is kept (Electron: safeStorage; headless: memory). */
export interface TokenStore {
  load(): Promise<string | null>;
  save(token: string): Promise<void>;
  clear(): Promise<void>;
}

/** Upload and download of media over the relay's HTTP endpoints. */
export interface MediaClient {
  upload(
    relayUrl: string,
    token: string,
    file: { bytes: Buffer; mimeType: string; fileName: string },
  ): Promise<{ ok: true; mediaId: string } | { ok: false; error: AppError }>;
  download(
    relayUrl: string,
    token: string,
    mediaId: string,
  ): Promise<{ ok: true; bytes: Buffer; mimeType: string; fileName: string | null } | { ok: false; error: AppError }>;
}

/** What machine policy (IT) fixes; see the IT guide. */
export interface ServicePolicy {
  relayUrl?: string;
  relayUrlLocked?: boolean;
  /** The default when the agent has not chosen; with notificationPrivacyLocked, enforced. */
  notificationPrivacy?: Settings['notificationPrivacy'];
  notificationPrivacyLocked?: boolean;
}

export interface ConsoleServiceDeps {
  store: LocalStore;
  tokens: TokenStore;
  connect: ConnectionFactory;
  media: MediaClient;
  clock?: Clock;
  random?: () => number;
  policy?: ServicePolicy;
  log?: (event: string, fields?: Record<string, unknown>) => void;
  /** Changes gather this long before one UI update (default 50 ms). */
  coalesceMs?: number;
  /** How long sign-in waits for the relay to answer (default 15 s). */
  signInTimeoutMs?: number;
  /** What the adapter knows about this desktop (policy problems, token storage, updates). */
  appStatus?: () => Omit<AppStatus, 'notificationPrivacyLocked'>;
  /** Builds the diagnostics zip (the adapter knows where its logs are). */
  exportDiagnostics?: (history: readonly ConnectionHistoryEntry[]) => Promise<{ fileName: string; data: Buffer }>;
  /** Days of history kept on this desktop (machine policy); older messages are removed daily. */
  retentionDays?: number;
}

export interface ConnectionHistoryEntry {
  at: number;
  status: string;
  detail: string | null;
}

const DEFAULT_SETTINGS: Settings = { notificationPrivacy: 'show', sounds: true, closeToTray: false, theme: 'system' };
const OFFLINE = (what: string) => appError('offline', `${what} needs a connection to the relay; try again when the status bar says Live.`, true);

export class ConsoleService {
  private readonly store: LocalStore;
  private readonly queries: LocalQueries;
  private readonly clock: Clock;
  private readonly log: (event: string, fields?: Record<string, unknown>) => void;
  private readonly listeners = new Set<<E extends ConsoleEvent>(event: E, payload: EventPayload<E>) => void>();
  private readonly coalescer: ChangeCoalescer;
  private readonly drainer: OutboxDrainer;
  private connection: ConnectionHandle | null = null;
  private token: string | null = null;
  private snapshot: LinkSnapshot | null = null;
  private sync: SyncProgress = { phase: 'idle', done: 0, total: 0 };
  private open = { conversationId: null as string | null, windowFocused: false };
  private paused = false;
  private networkOnline = true;
  private readonly link: RelayLink;
  private readonly history: ConnectionHistoryEntry[] = [];
  private cancelPrune: () => void = () => {};

  constructor(private readonly deps: ConsoleServiceDeps) {
    this.store = deps.store;
    this.queries = new LocalQueries(deps.store.db);
    this.clock = deps.clock ?? systemClock;
    this.log = deps.log ?? (() => {});
    this.link = {
      request: (method, params, options) => this.connection?.request(method, params, options) ?? Promise.resolve({ ok: false, error: OFFLINE('This') }),
      isLive: () => this.snapshot?.status === 'live',
    };
    this.coalescer = new ChangeCoalescer({
      queries: this.queries,
      clock: this.clock,
      emit: (event, payload) => this.emit(event, payload),
      notificationContext: () => ({
        openConversationId: this.open.conversationId,
        windowFocused: this.open.windowFocused,
        privacy: this.settings().notificationPrivacy,
        paused: this.paused,
        conversation: (id) => this.store.conversation(id),
      }),
      windowMs: deps.coalesceMs ?? 50,
    });
    this.drainer = new OutboxDrainer({
      store: this.store,
      link: this.link,
      clock: this.clock,
      random: deps.random ?? Math.random,
      backoff: DEFAULT_BACKOFF,
      concurrency: 8,
      prepare: (item) => this.prepareSend(item),
      onChanges: (changes) => this.changed(changes, true),
      log: this.log,
    });
  }

  // ---- lifecycle ----

  /** Resumes the saved session, if any: the agent does not log in again after a restart. */
  async start(): Promise<void> {
    const relayUrl = this.store.meta('relay_url');
    const token = await this.deps.tokens.load();
    if (relayUrl !== null && token !== null) this.openConnection(relayUrl, token);
    else this.emitConnection();
    this.pruneDaily();
  }

  private pruneDaily(): void {
    const days = this.deps.retentionDays;
    if (days === undefined) return;
    const removed = this.store.pruneHistory(this.clock.wallNow() - days * 86_400_000);
    if (removed > 0) this.log('retention.pruned', { messages: removed, days });
    this.cancelPrune = this.clock.setTimer(86_400_000, () => this.pruneDaily());
  }

  /** Tells the UI that what appStatus reports has changed (an update was downloaded, …). */
  appStatusChanged(): void {
    this.emit('app.status', this.appStatus());
  }

  private appStatus(): AppStatus {
    const base = this.deps.appStatus?.() ?? { version: '0.0.0', policyProblems: [], tokenStorage: 'secure' as const, updateReady: false };
    return { ...base, notificationPrivacyLocked: this.deps.policy?.notificationPrivacyLocked === true };
  }

  async stop(): Promise<void> {
    this.cancelPrune();
    this.drainer.stop();
    this.coalescer.flush();
    this.coalescer.stop();
    await this.connection?.stop();
    this.connection = null;
  }

  on(listener: <E extends ConsoleEvent>(event: E, payload: EventPayload<E>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The OS said the network came back or the machine woke: skip the backoff wait. */
  networkChanged(online: boolean): void {
    this.networkOnline = online;
    if (online) this.connection?.retryNow();
    this.emitConnection();
  }

  setNotificationsPaused(paused: boolean): void {
    this.paused = paused;
  }

  /** Unread messages over all conversations (dock badge, tray tooltip). */
  unreadTotal(): number {
    return this.queries.listConversations('unread', null, 5_000, 0).items.reduce((sum, s) => sum + s.unread, 0);
  }

  // ---- the contract ----

  /** Parses the input against the contract, runs the method, and answers a WireResult; never throws. */
  async call(method: unknown, input: unknown): Promise<WireResult<unknown>> {
    if (!isConsoleMethod(method)) return { ok: false, error: { code: 'unknown_method', message: 'no such method' } };
    const parsed = CONSOLE_METHODS[method].input.safeParse(input ?? {});
    if (!parsed.success) return { ok: false, error: { code: 'invalid_input', message: `${method}: ${describeIssues(parsed.error)}` } };
    try {
      const value = await (this.handlers[method] as (input: unknown) => Promise<unknown>)(parsed.data);
      return { ok: true, value };
    } catch (error) {
      if (error instanceof ServiceError) return { ok: false, error: { code: error.code, message: error.message } };
      // A full or read-only disk is the agent's to know about (the UI has words for it), not an "internal" bug.
      const storage = storageErrorOf(error);
      if (storage !== null) {
        this.log('service.storage_failed', { method, code: storage.code });
        return { ok: false, error: storage };
      }
      this.log('service.failed', { method, error: error instanceof Error ? error.message : String(error) });
      return { ok: false, error: { code: 'internal', message: `${method} failed; the details are in the log` } };
    }
  }

  private readonly handlers: { [M in ConsoleMethod]: (input: never) => Promise<MethodOutput<M>> } = {
    'session.get': async () => this.session(),
    'session.signIn': async (input: { relayUrl: string; token: string }) => this.signIn(input.relayUrl, input.token),
    'session.signOut': async () => {
      await this.connection?.stop();
      this.connection = null;
      this.snapshot = null;
      this.token = null;
      await this.deps.tokens.clear();
      this.emitConnection();
      const session = this.session();
      this.emit('session.changed', session);
      return session;
    },
    'connection.get': async () => this.connectionState(),
    'connection.retryNow': async () => {
      this.connection?.retryNow();
      return { ok: true as const };
    },
    'sync.get': async () => this.sync,
    'conversations.list': async (input: { filter: 'all' | 'mine' | 'unassigned' | 'unread'; limit: number; offset: number }) =>
      this.queries.listConversations(input.filter, this.agentId(), input.limit, input.offset),
    'conversations.get': async (input: { conversationId: string }) => {
      const [summary] = this.queries.summaries([input.conversationId]);
      if (summary === undefined) throw new ServiceError('not_found', 'conversation not found');
      return summary;
    },
    'conversations.search': async (input: { query: string; limit: number }) => ({ hits: this.queries.search(input.query, input.limit) }),
    'conversations.linkCase': async (input: { conversationId: string; caseId: string | null }) =>
      this.relayAction('Linking a case', 'conversations.linkCase', input),
    'conversations.assignToMe': async (input: { conversationId: string; mine: boolean }) =>
      this.relayAction('Assigning', 'conversations.assign', { conversationId: input.conversationId, agentId: input.mine ? this.agentId() : null }),
    'conversations.setOpen': async (input: { conversationId: string | null; windowFocused: boolean }) => {
      this.open = input;
      return { ok: true as const };
    },
    'messages.page': async (input: { conversationId: string; before?: string; around?: string; limit: number }) =>
      this.queries.messages(input.conversationId, input.limit, input.before, input.around),
    'messages.sendText': async (input: { conversationId: string; body: string; replyToId?: string }) =>
      this.queue(input.conversationId, { type: 'text', body: input.body }, { type: 'text', body: input.body }, input.replyToId),
    'messages.sendTemplate': async (input: { conversationId: string; name: string; language: string; parameters: string[] }) => {
      const content = { type: 'template' as const, name: input.name, language: input.language, parameters: input.parameters };
      return this.queue(input.conversationId, content, content);
    },
    'messages.sendFile': async (input: { conversationId: string; fileName: string; mimeType: string; dataBase64: string; caption?: string }) =>
      this.queueFile(input),
    'messages.retry': async (input: { messageId: string }) => {
      const message = this.store.message(input.messageId);
      if (message === null || message.status !== 'failed' || message.direction !== 'out')
        throw new ServiceError('invalid_input', 'only a failed message can be retried');
      // Sent again as a new message: the failed one is kept out of sight, never resent under its old id.
      const request = this.outboundOf(message.content);
      this.discard(message.id);
      await this.queue(message.conversationId, message.content, request, message.replyToId ?? undefined);
      return { ok: true as const };
    },
    'messages.discard': async (input: { messageId: string }) => {
      this.discard(input.messageId);
      return { ok: true as const };
    },
    'messages.markRead': async (input: { conversationId: string; upToMessageId: string }) => this.relayAction('Marking as read', 'messages.markRead', input),
    'drafts.get': async (input: { conversationId: string }) => ({ text: this.store.draft(input.conversationId) }),
    'drafts.save': async (input: { conversationId: string; text: string }) => {
      if (this.store.conversation(input.conversationId) === null) throw new ServiceError('not_found', 'conversation not found');
      this.store.saveDraft(input.conversationId, input.text, this.clock.wallNow());
      return { ok: true as const };
    },
    'templates.list': async () => {
      const result = await this.link.request('templates.list', {}, { deadlineMs: 15_000 });
      if (result.ok) {
        const value = result.value as MethodOutput<'templates.list'>;
        this.store.setSetting('cache.templates', value.templates);
        return value;
      }
      const cached = this.store.setting('cache.templates');
      if (Array.isArray(cached)) return { templates: cached as MethodOutput<'templates.list'>['templates'] };
      throw new ServiceError(result.error.code, result.error.message);
    },
    'media.get': async (input: { mediaId: string }) => {
      const cached = this.store.cachedMedia(input.mediaId);
      if (cached !== null) return { mimeType: cached.mimeType, fileName: cached.fileName, dataBase64: cached.bytes.toString('base64') };
      const relayUrl = this.store.meta('relay_url');
      if (relayUrl === null || this.token === null) throw new ServiceError('offline', 'not signed in');
      const fetched = await this.deps.media.download(relayUrl, this.token, input.mediaId);
      if (!fetched.ok) throw new ServiceError(fetched.error.code, fetched.error.message);
      this.store.cacheMedia(input.mediaId, fetched.mimeType, fetched.fileName, fetched.bytes, this.clock.wallNow());
      return { mimeType: fetched.mimeType, fileName: fetched.fileName, dataBase64: fetched.bytes.toString('base64') };
    },
    'app.status': async () => this.appStatus(),
    'diagnostics.export': async () => {
      if (this.deps.exportDiagnostics === undefined) throw new ServiceError('unavailable', 'diagnostics are not available in this window');
      const { fileName, data } = await this.deps.exportDiagnostics(this.history);
      return { fileName, dataBase64: data.toString('base64') };
    },
    'settings.get': async () => this.settings(),
    'settings.set': async (input: Partial<Settings>) => {
      for (const [key, value] of Object.entries(input)) if (value !== undefined) this.store.setSetting(`user.${key}`, value);
      const settings = this.settings();
      this.emit('settings.changed', settings);
      return settings;
    },
  };

  // ---- session and connection ----

  private session(): MethodOutput<'session.get'> {
    const agent = this.store.meta('agent');
    return {
      signedIn: this.token !== null && this.store.meta('relay_url') !== null,
      relayUrl: this.deps.policy?.relayUrl ?? this.store.meta('relay_url'),
      agent: agent === null ? null : (JSON.parse(agent) as { id: string; name: string }),
      relayUrlLocked: this.deps.policy?.relayUrlLocked === true,
    };
  }

  private agentId(): string | null {
    const agent = this.store.meta('agent');
    return agent === null ? null : (JSON.parse(agent) as { id: string }).id;
  }

  private async signIn(relayUrl: string, token: string): Promise<MethodOutput<'session.get'>> {
    const policy = this.deps.policy;
    if (policy?.relayUrlLocked === true && policy.relayUrl !== undefined && relayUrl !== policy.relayUrl) {
      throw new ServiceError('forbidden', 'the relay address is set by your IT department');
    }
    await this.connection?.stop();
    this.store.setMeta('last_relay_url', relayUrl);
    const previousUrl = this.store.meta('relay_url');
    this.openConnection(relayUrl, token);
    const outcome = await this.waitForSignIn();
    if (outcome !== 'ok') {
      await this.connection?.stop();
      this.connection = null;
      this.token = null;
      this.emitConnection();
      if (outcome === 'credentials') throw new ServiceError('unauthorized', 'The relay did not accept this token. Check it with your supervisor.');
      const detail = this.snapshot?.detail;
      throw new ServiceError(
        this.snapshot?.tlsProblem === true ? 'tls_failure' : 'unavailable',
        `Could not reach the relay at ${relayUrl}${detail ? ` (${detail})` : ''}.`,
      );
    }
    if (previousUrl !== null && previousUrl !== relayUrl) this.log('session.relay_changed');
    this.store.setMeta('relay_url', relayUrl);
    await this.deps.tokens.save(token);
    const session = this.session();
    this.emit('session.changed', session);
    return session;
  }

  private waitForSignIn(): Promise<'ok' | 'credentials' | 'unreachable'> {
    return new Promise((resolve) => {
      const cancel = this.clock.setTimer(this.deps.signInTimeoutMs ?? 15_000, () => {
        clearInterval(poll);
        resolve('unreachable');
      });
      const check = () => {
        const status = this.snapshot?.status;
        if (status === 'live') finish('ok');
        else if (status === 'credentials_needed') finish('credentials');
        else if (status === 'unsupported_version') finish('unreachable');
      };
      const finish = (outcome: 'ok' | 'credentials' | 'unreachable') => {
        cancel();
        clearInterval(poll);
        resolve(outcome);
      };
      const poll = setInterval(check, 20);
      check();
    });
  }

  private openConnection(relayUrl: string, token: string): void {
    this.token = token;
    const connection = this.deps.connect({
      relayUrl,
      token,
      deviceId: this.deviceId(),
      cursor: () => this.store.cursor(),
      onEvents: async (events: SequencedEvent[]) => this.changed(this.store.applyEvents(events), true),
      onResync: async (hello: HelloFrame) => this.resync(hello),
      onStateChange: (snapshot: LinkSnapshot) => {
        this.snapshot = snapshot;
        this.rememberAgent(snapshot.agent);
        this.emitConnection();
        if (snapshot.status === 'live') this.drainer.kick();
      },
    });
    this.connection = connection;
    connection.start();
  }

  /** Keeps who signed in for the next start; a disk that refuses the write must not stop the UI hearing about the link. */
  private rememberAgent(agent: { id: string; name: string } | null): void {
    if (agent === null) return;
    const text = JSON.stringify(agent);
    try {
      if (this.store.meta('agent') !== text) this.store.setMeta('agent', text);
    } catch (error) {
      this.log('service.storage_failed', { what: 'agent', code: storageErrorOf(error)?.code ?? 'unknown' });
    }
  }

  private async resync(hello: HelloFrame): Promise<void> {
    await firstSync(hello, {
      store: this.store,
      link: { request: (m, p, o) => this.connection!.request(m, p, o), isLive: () => true },
      historyPerConversation: 50,
      onProgress: (done, total) => {
        this.sync = { phase: done === total && total > 0 ? 'idle' : 'syncing', done, total };
        this.emit('sync.progress', this.sync);
      },
      onChanges: (changes) => this.changed(changes, false),
    });
    this.sync = { phase: 'idle', done: this.sync.total, total: this.sync.total };
    this.emit('sync.progress', this.sync);
  }

  private deviceId(): string {
    let id = this.store.meta('device_id');
    if (id === null) {
      id = uuidv7();
      this.store.setMeta('device_id', id);
    }
    return id;
  }

  connectionState(): ConnectionState {
    return connectionStateOf(this.snapshot, this.connection !== null, this.networkOnline, this.store.queuedCount(), this.clock);
  }

  private emitConnection(): void {
    const state = this.connectionState();
    const last = this.history.at(-1);
    if (last === undefined || last.status !== state.status || last.detail !== state.detail) {
      this.history.push({ at: this.clock.wallNow(), status: state.status, detail: state.detail });
      if (this.history.length > 500) this.history.splice(0, this.history.length - 500);
    }
    this.emit('connection.changed', state);
  }

  // ---- sending ----

  /** Refuses, before anything is saved, a message to a conversation that is not here, or free text outside the 24-hour window. */
  private checkSendable(conversationId: string, freeForm: boolean): void {
    const conversation = this.store.conversation(conversationId);
    if (conversation === null) throw new ServiceError('not_found', 'conversation not found');
    if (freeForm && !conversation.id.startsWith('pending:') && !isWindowOpen(conversation.lastInboundAt, this.clock.wallNow())) {
      throw new ServiceError('template_required', 'The customer has not written in the last 24 hours: only a template can be sent.');
    }
  }

  private async queue(conversationId: string, content: MessageContent, request: OutboundContent, replyToId?: string): Promise<{ message: Message }> {
    this.checkSendable(conversationId, request.type !== 'template');
    const message = this.store.queueMessage({
      id: uuidv7(),
      request: { conversationId, content: request, ...(replyToId !== undefined && { replyToId }) },
      content,
      agentId: this.agentId(),
      now: this.clock.wallNow(),
    });
    const changes: ChangeSet = { conversations: new Set([conversationId]), messages: new Map([[message.id, message]]), newInbound: [] };
    this.changed(changes, false);
    this.coalescer.flush(); // the agent sees "queued" at once
    this.emitConnection();
    this.drainer.kick();
    return { message };
  }

  /** Sends to a WhatsApp id, creating the conversation on the relay if needed (the headless runner's --send). */
  async sendToWaId(waId: string, body: string): Promise<Message> {
    const content: OutboundContent = { type: 'text', body };
    const message = this.store.queueMessage({ id: uuidv7(), request: { waId, content }, content, agentId: this.agentId(), now: this.clock.wallNow() });
    this.emitConnection();
    this.drainer.kick();
    return message;
  }

  private async queueFile(input: {
    conversationId: string;
    fileName: string;
    mimeType: string;
    dataBase64: string;
    caption?: string;
  }): Promise<{ message: Message }> {
    // Before the bytes are cached: a refused file must leave nothing behind.
    this.checkSendable(input.conversationId, true);
    const bytes = Buffer.from(input.dataBase64, 'base64');
    const check = checkOutboundMedia(input.mimeType, bytes.length);
    if (!check.ok) throw new ServiceError(check.code, check.message);
    const localId = uuidv7();
    this.store.cacheMedia(localId, input.mimeType, input.fileName, bytes, this.clock.wallNow());
    this.store.setMeta(`upload:${localId}`, 'pending');
    const caption = input.caption !== undefined && input.caption !== '' ? { caption: input.caption } : {};
    const content: MessageContent =
      check.kind === 'image'
        ? { type: 'image', mediaId: localId, mimeType: input.mimeType, fileName: input.fileName, size: bytes.length, ...caption }
        : { type: 'document', mediaId: localId, mimeType: input.mimeType, fileName: input.fileName, size: bytes.length, ...caption };
    const request: OutboundContent =
      check.kind === 'image' ? { type: 'image', mediaId: localId, ...caption } : { type: 'document', mediaId: localId, fileName: input.fileName, ...caption };
    return this.queue(input.conversationId, content, request);
  }

  /** Uploads a file queued offline before its message goes to the relay. */
  private async prepareSend(item: OutboxItem): Promise<{ ok: true; params: Record<string, unknown> } | { ok: false; error: AppError }> {
    let content = item.request.content;
    if (content.type === 'image' || content.type === 'document') {
      const state = this.store.meta(`upload:${content.mediaId}`);
      if (state !== null) {
        let relayMediaId = state === 'pending' ? null : state;
        if (relayMediaId === null) {
          const file = this.store.cachedMedia(content.mediaId);
          const relayUrl = this.store.meta('relay_url');
          if (file === null) return { ok: false, error: appError('not_found', 'the attached file is no longer on this computer', false) };
          if (relayUrl === null || this.token === null) return { ok: false, error: OFFLINE('Uploading') };
          const uploaded = await this.deps.media.upload(relayUrl, this.token, {
            bytes: file.bytes,
            mimeType: file.mimeType,
            fileName: file.fileName ?? 'file',
          });
          if (!uploaded.ok) return { ok: false, error: uploaded.error };
          relayMediaId = uploaded.mediaId;
          this.store.setMeta(`upload:${content.mediaId}`, relayMediaId);
        }
        content = { ...content, mediaId: relayMediaId };
      }
    }
    return { ok: true, params: { clientMessageId: item.messageId, ...item.request, content } };
  }

  private outboundOf(content: MessageContent): OutboundContent {
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

  private discard(messageId: string): void {
    const conversationId = this.store.discard(messageId);
    if (conversationId === null) throw new ServiceError('invalid_input', 'only a failed or unsent message can be discarded');
    this.emit('messages.removed', { conversationId, messageIds: [messageId] });
    this.changed({ conversations: new Set([conversationId]), messages: new Map(), newInbound: [] }, false);
    this.emitConnection();
  }

  private async relayAction(what: string, method: string, params: unknown): Promise<{ ok: true }> {
    if (!this.link.isLive()) throw new ServiceError('offline', OFFLINE(what).message);
    const result = await this.link.request(method, params, { deadlineMs: 15_000 });
    if (!result.ok) throw new ServiceError(result.error.code, result.error.message);
    // The relay's event for the change follows on the stream; nothing to store from the answer.
    return { ok: true };
  }

  // ---- settings and events ----

  settings(): Settings {
    const read = <K extends keyof Settings>(key: K): Settings[K] => {
      // Defaults < the agent's choice < machine policy.
      if (key === 'notificationPrivacy' && this.deps.policy?.notificationPrivacyLocked === true && this.deps.policy.notificationPrivacy !== undefined) {
        return this.deps.policy.notificationPrivacy as Settings[K];
      }
      const user = this.store.setting(`user.${key}`);
      if (user !== undefined) return user as Settings[K];
      if (key === 'notificationPrivacy' && this.deps.policy?.notificationPrivacy !== undefined) return this.deps.policy.notificationPrivacy as Settings[K];
      return DEFAULT_SETTINGS[key];
    };
    return { notificationPrivacy: read('notificationPrivacy'), sounds: read('sounds'), closeToTray: read('closeToTray'), theme: read('theme') };
  }

  private changed(changes: ChangeSet, fromRelay: boolean): void {
    this.coalescer.add(changes);
    if (fromRelay) this.emitConnection(); // the queued count may have changed
  }

  private emit<E extends ConsoleEvent>(event: E, payload: EventPayload<E>): void {
    for (const listener of this.listeners) listener(event, payload);
  }
}
