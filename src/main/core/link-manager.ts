// The signed-in session's relay connection as the services see it: open/close, the status bar's state and its
// history, the OS's network signals, and what arriving events and resyncs do to the cache.
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
import type { ConnectionFactory, ConnectionHandle, LinkSnapshot } from './service-types';
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
  /** Recent history fetched per conversation by a first sync. */
  historyPerConversation?: number;
}

const HISTORY_LIMIT = 500;

export class LinkManager {
  private connection: ConnectionHandle | null = null;
  private snapshot: LinkSnapshot | null = null;
  private currentToken: string | null = null;
  private networkOnline = true;
  private readonly entries: ConnectionHistoryEntry[] = [];
  private sync: SyncProgress = { phase: 'idle', done: 0, total: 0 };
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

  open(relayUrl: string, token: string): void {
    this.currentToken = token;
    const connection = this.deps.connect({
      relayUrl,
      token,
      deviceId: this.deps.store.session.get().deviceId,
      cursor: () => this.deps.store.cursor(),
      onEvents: async (events: SequencedEvent[]) => this.deps.changed(this.deps.store.applyEvents(events), true),
      onResync: async (hello: HelloFrame) => this.resync(hello),
      onStateChange: (snapshot: LinkSnapshot) => this.onState(snapshot),
    });
    this.connection = connection;
    connection.start();
  }

  /** Closes the connection; `forget` also drops the token and the last state (sign-out, refused sign-in). */
  async close(forget: boolean): Promise<void> {
    await this.connection?.stop();
    this.connection = null;
    if (forget) {
      this.snapshot = null;
      this.currentToken = null;
    }
    this.emitState();
  }

  retryNow(): void {
    this.connection?.retryNow();
  }

  /** The OS said the network came back or the machine woke: skip the backoff wait. */
  networkChanged(online: boolean): void {
    this.networkOnline = online;
    if (online) this.connection?.retryNow();
    this.emitState();
  }

  state(): ConnectionState {
    return connectionStateOf(this.snapshot, this.connection !== null, this.networkOnline, this.deps.store.outbox.queuedCount(), this.deps.clock);
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
    this.snapshot = snapshot;
    if (snapshot.agent !== null) {
      // Kept for the next start; a disk that refuses the write must not stop the UI hearing about the link.
      try {
        this.deps.store.session.setAgent(snapshot.agent);
      } catch (error) {
        this.deps.log('service.storage_failed', { what: 'agent', code: storageErrorOf(error)?.code ?? 'unknown' });
      }
    }
    this.emitState();
    if (snapshot.status === 'live') this.deps.onLive();
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
