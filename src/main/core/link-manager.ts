// The signed-in session's relay connection as the services see it: open/close, the status bar's state and its
// history, the OS's network signals, who the relay says is signed in, and what arriving events and resyncs do to the cache.
import type { Clock } from '../../shared/clock';
import type { ConnectionState, SyncProgress } from '../../shared/contract';
import { fail } from '../../shared/errors';
import type { HelloFrame, SequencedEvent } from '../../shared/protocol';
import type { HandlersOf } from './console-service';
import type { Emit } from './event-bus';
import { firstSync } from './first-sync';
import type { ChangeSet, LocalStore } from './local-store';
import { typedLink, type RelayLink } from './relay-link';
import { connectionStateOf } from './domain/connection-state';
import { detail } from './domain/link-failure';
import type { ConnectionFactory, ConnectionHandle, LinkSnapshot } from './service-types';
import { tokenKey, type LinkOwner } from './link-owner';

export { agentKey, tokenKey, type LinkOwner } from './link-owner';
import { storageErrorOf } from './domain/storage-error';

export interface ConnectionHistoryEntry {
  at: number;
  status: ConnectionState['status'];
  detail: ConnectionState['detail'];
}

export interface LinkManagerDeps {
  store: LocalStore;
  connect: ConnectionFactory;
  clock: Clock;
  emit: Emit;
  log: (event: string, fields?: Record<string, unknown>) => void;
  /** Committed changes for the UI; `fromRelay` also refreshes the queued count. */
  changed: (changes: ChangeSet, fromRelay: boolean) => void;
  /** The link became live: queued work may go. */
  onLive: () => void;
  /** The relay named another agent, role or teams than the cache had on record. */
  onAgentChanged?: () => void;
  /** The relay refused the token (401, close 4001): a device session may refresh and go on (device-session.ts). */
  onCredentialsNeeded?: () => void;
  /** Recent history fetched per conversation by a first sync. */
  historyPerConversation?: number;
}

const HISTORY_LIMIT = 500;
const TRY_AGAIN: ReadonlySet<string> = new Set(['offline', 'timeout', 'unavailable', 'rate_limited']);

/** Who queues and who sends: the agent a hello confirmed for this token (id null until one did), and the token's key. */
export interface OutboxAuthor {
  id: string | null;
  name: string | null;
  key: string | null;
  /** The agent on record here (a hello named them for some token): who most likely types while `id` is still null. */
  onRecord: { id: string; name: string } | null;
}

export class LinkManager {
  private connection: ConnectionHandle | null = null;
  private snapshot: LinkSnapshot | null = null;
  private currentToken: string | null = null;
  private owner: LinkOwner | null = null;
  /** A saved session waits for the relay to renew it (out of reach at start): connecting, not signed out. */
  private awaiting = false;
  /** The device session ended (not a sign-out): the status bar says to sign in again, with the queue still counted. */
  private sessionEnded = false;
  private networkOnline = true;
  private readonly entries: ConnectionHistoryEntry[] = [];
  private sync: SyncProgress = { phase: 'idle', done: 0, total: 0 };
  /** Conversations that arrived without their history (a transfer to this agent's team): fetched while live. */
  private readonly historyWanted = new Set<string>();
  private fetchingHistory = false;
  readonly link: RelayLink;

  constructor(private readonly deps: LinkManagerDeps) {
    this.link = typedLink(
      (method, params, options) => this.connection?.request(method, params, options) ?? Promise.resolve(fail('offline', 'not connected to the relay')),
      () => this.snapshot?.status === 'live',
    );
  }

  readonly handlers: HandlersOf<'connection.get' | 'connection.retryNow' | 'sync.get'> = {
    'connection.get': async () => this.state(),
    'connection.retryNow': async () => {
      this.connection?.retryNow();
      return { ok: true };
    },
    'sync.get': async () => this.sync,
  };

  /** The token of the open session (media requests carry it too), or null when signed out. */
  get token(): string | null {
    return this.currentToken;
  }

  get isOpen(): boolean {
    return this.connection !== null;
  }

  get status(): LinkSnapshot['status'] | null {
    return this.snapshot?.status ?? null;
  }

  /**
   * Who is working here now: the agent on record when a hello confirmed it for the token in use, else nobody known yet
   * (id null) with the token's key. What is queued is theirs; only what is theirs is sent and counted.
   */
  author(): OutboxAuthor {
    const { agent, agentKey } = this.deps.store.session.get();
    const key = this.owner?.key ?? null;
    const onRecord = agent === null ? null : { id: agent.id, name: agent.name };
    if (agent !== null && (key === null || agentKey === key)) return { id: agent.id, name: agent.name, key, onRecord };
    return { id: null, name: null, key, onRecord };
  }

  /** Opens the link; `owner` defaults to the token's own key (a relay without device sessions, the static token). */
  open(relayUrl: string, token: string, owner: LinkOwner = { key: tokenKey(token) }): void {
    this.currentToken = token;
    this.owner = owner;
    this.awaiting = false;
    this.sessionEnded = false;
    const key = owner.key;
    const connection = this.deps.connect({
      relayUrl,
      token,
      deviceId: this.deps.store.session.get().deviceId,
      cursor: () => this.cursorFor(key, owner.formerKeys ?? []),
      onEvents: async (events: SequencedEvent[]) => {
        const changes = this.deps.store.applyEvents(events);
        this.deps.changed(changes, true);
        for (const id of changes.newConversations) if (!this.deps.store.holdsBeginning(id)) this.historyWanted.add(id);
        for (const id of changes.removedConversations.keys()) this.historyWanted.delete(id);
        if (this.historyWanted.size > 0) void this.fetchHistories();
      },
      onResync: async (hello: HelloFrame) => this.resync(hello),
      onStateChange: (snapshot: LinkSnapshot) => this.onState(snapshot),
    });
    this.connection = connection;
    connection.start();
  }

  /**
   * The cursor belongs to the token a hello confirmed. Another token (another agent, say) starts with a fresh sync, and
   * the old cursor is forgotten at once: a resync cut short must not resume one agent's stream as another's.
   */
  private cursorFor(key: string, formerKeys: readonly string[]): number | null {
    const onRecord = this.deps.store.session.get().agentKey;
    if (onRecord === key || (onRecord !== null && formerKeys.includes(onRecord))) return this.deps.store.cursor();
    if (this.deps.store.cursor() !== null) this.deps.store.session.resetCursor();
    return null;
  }

  /** Closes the connection; `forget` also drops the token and the last state (sign-out, refused sign-in). */
  async close(forget: boolean): Promise<void> {
    await this.connection?.stop();
    this.connection = null;
    this.awaiting = false;
    if (forget) {
      this.sessionEnded = false;
      this.snapshot = null;
      this.currentToken = null;
      this.owner = null;
    }
    this.emitState();
  }

  retryNow(): void {
    this.connection?.retryNow();
  }

  /** The device session cannot be refreshed: the link stops, and the state says so until the agent signs in again. */
  async endSession(): Promise<void> {
    this.sessionEnded = true;
    await this.close(false);
  }

  awaitSession(): void {
    this.awaiting = true;
    this.emitState();
  }

  /** A refreshed access token: media requests use it now, the connection from its next attempt (its socket stays). */
  setToken(token: string): void {
    if (this.currentToken === null) return;
    this.currentToken = token;
    this.connection?.setToken?.(token);
  }

  /** The OS said the network came back or the machine woke: skip the backoff wait. */
  networkChanged(online: boolean): void {
    this.networkOnline = online;
    if (online) this.connection?.retryNow();
    this.emitState();
  }

  state(): ConnectionState {
    const queued = this.deps.store.outbox.queuedCount(this.author());
    if (this.sessionEnded && this.connection === null) {
      return { status: 'credentials_needed', queued, detail: detail('session_ended'), tlsProblem: false, nextAttemptAt: null };
    }
    return connectionStateOf(this.snapshot, this.connection !== null || this.awaiting, this.networkOnline, queued, this.deps.clock);
  }

  /** The detail of the last failure, for a sign-in that did not succeed. */
  lastSnapshot(): LinkSnapshot | null {
    return this.snapshot;
  }

  history(): readonly ConnectionHistoryEntry[] {
    return this.entries;
  }

  emitState(): void {
    const state = this.state();
    const last = this.entries.at(-1);
    if (last === undefined || last.status !== state.status || JSON.stringify(last.detail) !== JSON.stringify(state.detail)) {
      this.entries.push({ at: this.deps.clock.wallNow(), status: state.status, detail: state.detail });
      if (this.entries.length > HISTORY_LIMIT) this.entries.splice(0, this.entries.length - HISTORY_LIMIT);
    }
    this.deps.emit('connection.changed', state);
  }

  private onState(snapshot: LinkSnapshot): void {
    const refusedBefore = this.snapshot?.status === 'credentials_needed';
    this.snapshot = snapshot;
    if (snapshot.agent !== null && this.owner !== null) this.recordAgent(snapshot.agent, this.owner);
    this.emitState();
    // Once per refusal: a later state change while still refused is not a second 4001.
    if (snapshot.status === 'credentials_needed' && !refusedBefore) this.deps.onCredentialsNeeded?.();
    if (snapshot.status === 'live') {
      this.deps.onLive();
      if (this.historyWanted.size > 0) void this.fetchHistories();
    }
  }

  /** A hello named who this token is: kept for the next start, and what was queued under the token before is theirs. */
  private recordAgent(agent: NonNullable<LinkSnapshot['agent']>, { key, formerKeys = [] }: LinkOwner): void {
    // A disk that refuses the write must not stop the UI hearing about the link.
    try {
      // Another agent than the cache's (a sign-in without a sign-out, say after a token was revoked): they must never see
      // the previous agent's cache. This runs on the hello, before a resync writes or the UI hears the link is up.
      const onRecord = this.deps.store.session.get().agent;
      if (onRecord !== null && onRecord.id !== agent.id) {
        this.deps.log('session.wiped', { reason: 'agent_changed', ...this.deps.store.wipe({ queued: 'keep' }) });
      }
      const changed = this.deps.store.session.setAgent({ id: agent.id, name: agent.name, role: agent.role ?? 'agent', teams: agent.teams ?? [] }, key);
      // Queued under this key, or under the agent's static token before device sessions (a cache from before the upgrade).
      for (const owned of [key, ...formerKeys]) {
        const claimed = this.deps.store.authors.claim(owned, agent);
        if (claimed.messages.size > 0) this.deps.changed(claimed, false);
      }
      if (changed) this.deps.onAgentChanged?.();
    } catch (error) {
      this.deps.log('service.storage_failed', { what: 'agent', code: storageErrorOf(error)?.code ?? 'unknown' });
    }
  }

  /** Fetches, one at a time while live, the history of conversations that reached this console without it. */
  private async fetchHistories(): Promise<void> {
    if (this.fetchingHistory) return;
    this.fetchingHistory = true;
    try {
      for (const conversationId of [...this.historyWanted]) {
        if (!this.link.isLive()) return;
        const limit = this.deps.historyPerConversation ?? 50;
        const history = await this.link.request('messages.history', { conversationId, limit }, { deadlineMs: 30_000 });
        // Offline or slow: tried again when the link is live next. Anything else will not change by asking again.
        if (!history.ok && TRY_AGAIN.has(history.error.code)) return;
        this.historyWanted.delete(conversationId);
        if (!history.ok) {
          this.deps.log('sync.history_refused', { conversationId, code: history.error.code });
          continue;
        }
        // It may have left again meanwhile: its messages must not come back without it.
        if (this.deps.store.conversation(conversationId) === null) continue;
        this.deps.changed(this.deps.store.applySnapshot([], history.value.messages), false);
      }
    } finally {
      this.fetchingHistory = false;
    }
  }

  private async resync(hello: HelloFrame): Promise<void> {
    const connection = this.connection;
    await firstSync(hello, {
      store: this.deps.store,
      link: typedLink(
        (m, p, o) => connection?.request(m, p, o) ?? Promise.resolve(fail('offline', 'not connected to the relay')),
        () => true,
      ),
      historyPerConversation: this.deps.historyPerConversation ?? 50,
      onProgress: (done, total) => {
        this.sync = { phase: done === total && total > 0 ? 'idle' : 'syncing', done, total };
        this.deps.emit('sync.progress', this.sync);
      },
      onChanges: (changes) => this.deps.changed(changes, false),
    });
    this.sync = { phase: 'idle', done: this.sync.total, total: this.sync.total };
    this.deps.emit('sync.progress', this.sync);
  }
}
