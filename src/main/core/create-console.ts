// The one composition root of the console: the cache, the relay connection and the small services behind the contract.
// Electron, the headless runner, the web preview, the fault suite and the bench all start the console here; each
// host passes only what differs (where data lives, how the network is reached, where the token is kept, notifications).
import { DEFAULT_BACKOFF } from '../../shared/backoff';
import { systemClock, type Clock } from '../../shared/clock';
import type { ConnectionState, Settings, SsoOutcome } from '../../shared/contract';
import type { Message } from '../../shared/domain';
import type { CacheKey } from './cache-key';
import { ChangeCoalescer } from './change-coalescer';
import { ConsoleService, type ConsoleHandlers } from './console-service';
import { ConversationService, type ViewState } from './conversation-service';
import { buildDiagnostics, type DiagnosticsStorage } from './diagnostics';
import { DirectoryService } from './directory-service';
import { EventBus } from './event-bus';
import { LinkManager } from './link-manager';
import { LocalQueries } from './local-queries';
import { refusedPlainRelayHost } from './domain/relay-transport-rule';
import { openLocalStore, type ChangeSet, type LocalStore } from './local-store';
import { refusingPlainRelays } from './plain-relay-guard';
import { SAFE_DEFAULTS, type LoadedPolicy } from './policy';
import { RelayCacheService } from './relay-cache-service';
import { createRelayAuthClient, legacyAuthClient, type AuthClient } from './relay-auth-client';
import { RelayConnection } from './relay-connection';
import type { RelayConnectionOptions } from './relay-connection-types';
import { createRelayMediaClient, type MediaClient } from './relay-media-client';
import { fixedNetwork, type NetSource } from './relay-network';
import { startRetention } from './retention';
import { SendingService } from './sending-service';
import type { ConnectionFactory } from './service-types';
import { SessionService, memoryTokenStore, type TokenStore } from './session-service';
import { SettingsService, type HostStatus } from './settings-service';
import type { SsoCallback, SsoSignInDeps } from './sso-sign-in';

type Log = (event: string, fields?: Record<string, unknown>) => void;

export interface ConsoleOptions {
  /** The folder of the cache (created if missing). */
  dataDir: string;
  /** better-sqlite3's Electron build (docs/development.md); omit under Node. */
  nativeBinding?: string;
  /** The cache's encryption key (cache-key.ts); every host passes one. Omitted: the cache is in the clear (tests). */
  cacheKey?: CacheKey;
  /** An already opened cache, for tests that watch its writes; the caller closes it. */
  store?: LocalStore;
  /** Where the token is kept between starts (default: memory only). */
  tokens?: TokenStore;
  /** How the relay is reached: the OS proxy per host (desktop), or a fixed proxy and CA (default: direct). */
  network?: NetSource;
  /** Tuning of the relay connection (tests shorten the backoff). */
  connection?: Partial<Pick<RelayConnectionOptions, 'backoff' | 'requestTimeoutMs' | 'connectTimeoutMs' | 'probeIntervalMs' | 'transport'>>;
  /** Replaces the real relay connection (tests with a scripted link). */
  connect?: ConnectionFactory;
  /** Replaces the relay's media endpoints (tests). */
  media?: MediaClient;
  /** Replaces the relay's /v1/auth endpoints (tests with a scripted link). */
  auth?: AuthClient;
  /** Single sign-on's browser: `openExternal` (Electron: shell.openExternal), or the host's own `redirectUri` (web preview). */
  sso?: Pick<SsoSignInDeps, 'openExternal' | 'redirectUri'>;
  /** Machine policy as loaded (default: none, i.e. SAFE_DEFAULTS). */
  policy?: LoadedPolicy;
  clock?: Clock;
  random?: () => number;
  log?: Log;
  /** What the host reports about itself in app.status. */
  hostStatus?: () => HostStatus;
  /** Enables the diagnostics export: the host's log files and versions, and how it stores the cache if it says. */
  diagnostics?: { logFiles: () => readonly string[]; versions: Record<string, string>; storage?: DiagnosticsStorage };
  /** Changes gather this long before one UI update (default 50 ms). */
  coalesceMs?: number;
  /** How long sign-in waits for the relay to answer (default 15 s). */
  signInTimeoutMs?: number;
}

/** The running console: the contract's service for the UI, and what the host itself drives. */
export interface Console {
  readonly service: ConsoleService;
  readonly store: LocalStore;
  /** The service's events (the IPC bridge, tray and notifications listen here). */
  on: ConsoleService['on'];
  /** Resumes the saved session (no sign-in after a restart) and starts retention. */
  start(): Promise<void>;
  /** Commits what is in flight, closes the connection and, if it opened it, the cache. */
  stop(): Promise<void>;
  settings(): Settings;
  connectionState(): ConnectionState;
  unreadTotal(): number;
  networkChanged(online: boolean): void;
  setNotificationsPaused(paused: boolean): void;
  appStatusChanged(): void;
  /** The provider's redirect reached the host's own callback (the web preview's /sso/callback). */
  ssoCallback(params: SsoCallback): Promise<SsoOutcome>;
  /** Queues text to a WhatsApp id, creating the conversation on the relay if needed (the headless --send). */
  sendToWaId(waId: string, body: string): Message;
}

export function createConsole(options: ConsoleOptions): Console {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? (() => {});
  const policy = options.policy?.policy ?? SAFE_DEFAULTS;
  const bus = new EventBus();
  const view: ViewState = { openConversationId: null, windowFocused: false, paused: false };
  const network = options.network ?? fixedNetwork();
  const store =
    options.store ??
    openLocalStore(options.dataDir, {
      ...(options.nativeBinding !== undefined && { nativeBinding: options.nativeBinding }),
      ...(options.cacheKey !== undefined && { cacheKey: options.cacheKey }),
      log,
      onRepaired: (changes, messageId, reason) => {
        log('outbox.unreadable_row', { messageId, reason });
        changed(changes, true);
      },
    });
  const queries = new LocalQueries(store.db);
  const tokens = options.tokens ?? memoryTokenStore();
  const pins = policy.relay.pins;
  const media = options.media ?? createRelayMediaClient({ agent: (url) => network.agentFor(url, pins) });
  // A scripted link (tests) has no HTTP relay behind it: it stands for a relay from before device sessions.
  const auth =
    options.auth ??
    (options.connect !== undefined ? legacyAuthClient() : undefined) ??
    createRelayAuthClient({
      // The proxy is looked up for this host first: a sign-in comes before any connection did it.
      agent: async (url) => (await network.netOptions(url.href), network.agentFor(url, pins)),
      allowInsecure: policy.relay.allowInsecure,
    });
  // Every connection goes through the plain-transport rule, a test's scripted one too: the token never goes out unasked.
  const connect = refusingPlainRelays(
    options.connect ?? network.connectionFactory((o) => new RelayConnection({ ...o, ...options.connection, pins, clock, log })),
    policy.relay.allowInsecure,
    log,
  );

  const links: LinkManager = new LinkManager({
    store,
    connect,
    clock,
    emit: bus.emit,
    log,
    changed: (c, r) => changed(c, r),
    onLive: () => {
      session.device.linkLive();
      sending.drainer.kick();
    },
    onCredentialsNeeded: () => session.device.credentialsRefused(),
    // A new agent, role or teams: the UI shows who is signed in and what they may do.
    onAgentChanged: () => bus.emit('session.changed', session.session()),
  });
  const settingsService: SettingsService = new SettingsService({
    store,
    policy,
    emit: bus.emit,
    hostStatus:
      options.hostStatus ?? (() => ({ version: '0.0.0', policyProblems: options.policy?.problems ?? [], tokenStorage: 'secure', updateReady: false })),
    ...(options.diagnostics !== undefined && {
      exportDiagnostics: async (): Promise<{ fileName: string; data: Buffer }> => ({
        fileName: `branchline-diagnostics-${new Date(clock.wallNow()).toISOString().slice(0, 10)}.zip`,
        data: await buildDiagnostics({
          logFiles: options.diagnostics!.logFiles(),
          versions: options.diagnostics!.versions,
          settings: { ...settingsService.settings() },
          policy: options.policy ?? { policy, problems: [], source: null },
          connectionHistory: links.history(),
          secrets: [(await tokens.load()) ?? '', links.token ?? '', options.cacheKey?.key.toString('hex') ?? ''],
          storage: options.diagnostics!.storage ?? cacheStorageReport(options.cacheKey),
          now: new Date(clock.wallNow()),
        }),
      }),
    }),
  });
  const coalescer = new ChangeCoalescer({
    queries,
    clock,
    emit: bus.emit,
    notificationContext: () => ({
      openConversationId: view.openConversationId,
      windowFocused: view.windowFocused,
      privacy: settingsService.settings().notificationPrivacy,
      paused: view.paused,
      conversation: (id) => store.conversation(id),
    }),
    windowMs: options.coalesceMs ?? 50,
    me: () => links.author().id,
    nameOf: (agentId) => directory.nameOf(agentId),
  });
  function changed(changes: ChangeSet, fromRelay: boolean): void {
    coalescer.add(changes);
    if (fromRelay) links.emitState(); // the queued count may have changed
  }
  const agentId = () => store.session.get().agent?.id ?? null;
  const relay = () => {
    const url = store.session.get().relayUrl;
    if (url === null || links.token === null || refusedPlainRelayHost(url, policy.relay.allowInsecure) !== null) return null;
    return { url, token: links.token };
  };
  const sending: SendingService = new SendingService({
    store,
    link: links.link,
    media,
    clock,
    random: options.random ?? Math.random,
    backoff: DEFAULT_BACKOFF,
    emit: bus.emit,
    log,
    relay,
    author: () => links.author(),
    changed,
    flush: () => coalescer.flush(),
    queuedChanged: () => links.emitState(),
  });
  const session = new SessionService({
    store,
    links,
    tokens,
    clock,
    emit: bus.emit,
    log,
    policy: {
      ...(policy.relay.url !== null && { relayUrl: policy.relay.url }),
      relayUrlLocked: policy.relay.url !== null && !policy.relay.allowUserOverride,
      allowInsecure: policy.relay.allowInsecure,
    },
    ...(options.signInTimeoutMs !== undefined && { signInTimeoutMs: options.signInTimeoutMs }),
    auth,
    ...(options.sso !== undefined && { sso: options.sso }),
  });
  const role = () => store.session.get().agent?.role ?? null;
  const conversations = new ConversationService({ store, queries, link: links.link, clock, view, agentId, role, changed });
  const directory = new DirectoryService({ store, link: links.link, clock });
  const caches = new RelayCacheService({ store, link: links.link, media, clock, relay });

  const handlers: ConsoleHandlers = {
    ...session.handlers,
    ...links.handlers,
    ...conversations.handlers,
    ...sending.handlers,
    ...caches.handlers,
    ...directory.handlers,
    ...settingsService.handlers,
  };
  const service = new ConsoleService(handlers, bus, log);
  let stopRetention: () => void = () => {};

  return {
    service,
    store,
    on: (listener) => service.on(listener),
    async start() {
      await session.resume();
      stopRetention = startRetention({ store, clock, days: policy.retention.days, log });
    },
    async stop() {
      stopRetention();
      session.device.stop();
      session.sso.cancel();
      sending.drainer.stop();
      coalescer.flush();
      coalescer.stop();
      await links.close(false);
      if (options.store === undefined) store.close();
    },
    settings: () => settingsService.settings(),
    connectionState: () => links.state(),
    unreadTotal: () => conversations.unreadTotal(),
    networkChanged: (online) => {
      links.networkChanged(online);
      if (online) session.device.networkBack();
    },
    setNotificationsPaused: (paused) => void (view.paused = paused),
    appStatusChanged: () => settingsService.appStatusChanged(),
    ssoCallback: (params) => session.sso.callback(params),
    sendToWaId: (waId, body) => sending.sendToWaId(waId, body),
  };
}

/** What the diagnostics say about the cache: encrypted or not, and where its key lives (a place, never the key). */
function cacheStorageReport(cacheKey: CacheKey | undefined): DiagnosticsStorage {
  if (cacheKey === undefined) return { encrypted: false, keyLocation: 'none (this host keeps its cache unencrypted)' };
  switch (cacheKey.storage) {
    case 'keychain':
      return { encrypted: true, keyLocation: 'OS keychain (safeStorage), wrapped in cache-key.bin in the data folder' };
    case 'memory':
      return { encrypted: true, keyLocation: 'memory only (no OS keyring protects a key here): the cache is discarded at each start' };
    case 'environment':
      return { encrypted: true, keyLocation: 'BRANCHLINE_CACHE_KEY' };
    case 'file':
      return { encrypted: true, keyLocation: `key file ${cacheKey.file ?? '(unknown)'}` };
  }
}
