// The relay connection's public shapes, and the seam its two transports (WebSocket, long polling) plug into.
import type { BackoffPolicy } from '../../shared/backoff';
import type { Clock } from '../../shared/clock';
import type { HelloFrame, SequencedEvent } from '../../shared/protocol';
import type { ConnectionDetail, SessionAgent } from '../../shared/contract';
import type { TransportEnd, TransportKind } from './domain/link-failure';
import type { NetConfig } from './net-options';

export type ConnectionStatus = 'connecting' | 'live' | 'backing_off' | 'polling' | 'credentials_needed' | 'unsupported_version' | 'superseded' | 'stopped';

export interface ConnectionSnapshot {
  status: ConnectionStatus;
  transport: 'ws' | 'poll' | null;
  /** Monotonic-clock ms when the next attempt is due (backing_off), else null. */
  nextAttemptAtMono: number | null;
  /** Why the last attempt failed, as a code the renderer puts into words (no secrets), or null. */
  detail: ConnectionDetail | null;
  tlsProblem: boolean;
  /** Who the relay's hello named, with their role and teams (scripted links in tests may leave those out: 'agent', none). */
  agent: (Pick<SessionAgent, 'id' | 'name'> & Partial<Pick<SessionAgent, 'role' | 'teams'>>) | null;
}

export interface RelayConnectionOptions {
  /** Base URL: ws://, wss://, http:// or https://; /v1/agent and /v1/poll are appended. */
  relayUrl: string;
  token: string;
  deviceId: string;
  /** Last COMMITTED seq, read at every (re)connect. */
  cursor: () => number | null;
  /** Batches in seq order; resolve once committed locally. Acked only after it resolves; a rejection drops the link and the events come again. */
  onEvents: (events: SequencedEvent[]) => Promise<void>;
  /** hello.mode === 'resync': rebuild local state (page with request()); events arriving meanwhile are held, then delivered. */
  onResync: (hello: HelloFrame) => Promise<void>;
  onStateChange: (snapshot: ConnectionSnapshot) => void;
  /** Default systemClock. */
  clock?: Clock;
  /** Default Math.random. */
  random?: () => number;
  /** Default DEFAULT_BACKOFF. */
  backoff?: BackoffPolicy;
  /** Extra PEM CA bundle, trusted in addition to Node's roots. */
  ca?: string | Buffer;
  /** http://host:port of an HTTP proxy (CONNECT for both wss and https), or null. */
  proxy?: string | null;
  /** Machine policy's relay.pins: every TLS chain (WebSocket, long polling, probe) must hold one of these keys. */
  pins?: readonly string[];
  /** Default 'auto': WebSocket first, long polling when the upgrade is refused, probing WebSocket every probeIntervalMs. */
  transport?: 'auto' | 'ws' | 'poll';
  /** Default 5 minutes. */
  probeIntervalMs?: number;
  /** Default deadline of request() (15000). */
  requestTimeoutMs?: number;
  /** Never given tokens or message text. */
  log?: (event: string, fields?: Record<string, unknown>) => void;
  /** Give up on an attempt that has no hello after this long (default 20000). */
  connectTimeoutMs?: number;
  /** Replaces the real WebSocket/long-poll transports (tests). */
  transports?: TransportFactory;
}

export type { TransportEnd, TransportKind } from './domain/link-failure';

export interface TransportParams {
  relayUrl: string;
  token: string;
  deviceId: string;
  /** Last committed seq, or null for a device with nothing yet (the relay answers with a resync). */
  since: number | null;
  net: NetConfig;
}

export interface TransportHandlers {
  frame(text: string): void;
  /** The relay showed life without a frame (an empty long-poll answer). */
  alive(): void;
  /** Called at most once, never synchronously from the factory, and never after close(). */
  ended(end: TransportEnd): void;
}

export interface RelayTransport {
  readonly kind: TransportKind;
  send(text: string): void;
  /** 'graceful' says goodbye (WebSocket 1000); 'abort' cuts at once (a dead link). No handler runs afterwards. */
  close(how: 'graceful' | 'abort'): Promise<void>;
}

export interface TransportFactory {
  open(kind: TransportKind, params: TransportParams, handlers: TransportHandlers): RelayTransport;
  /** Whether a WebSocket upgrade gets through now, checked without opening a session. */
  probeWebSocket(params: TransportParams): Promise<boolean>;
}
