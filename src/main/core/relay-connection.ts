// The console's one persistent connection to the relay: attempts, backoff, close-code policy, long-poll fallback and back.
import { DEFAULT_BACKOFF, INITIAL_BACKOFF, assertValidPolicy, backoffOnDown, backoffOnLive, type BackoffPolicy, type BackoffState } from '../../shared/backoff';
import { systemClock, type Clock } from '../../shared/clock';
import { fail, type Result } from '../../shared/errors';
import { relayEndpoint, resolveNetSettings, type NetConfig } from './net-options';
import { detail, type LinkFailure } from './domain/link-failure';
import { planRetry } from './domain/retry-plan';
import { LinkSession, type LinkDeps } from './relay-connection-link';
import type { ConnectionSnapshot, RelayConnectionOptions, TransportFactory, TransportKind, TransportParams } from './relay-connection-types';
import { nodeTransports } from './relay-transports';

const DEFAULT_PROBE_INTERVAL_MS = 5 * 60_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 20_000;
const MAX_DEADLINE_MS = 300_000;

export class RelayConnection {
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly policy: BackoffPolicy;
  private readonly net: NetConfig;
  private readonly transports: TransportFactory;
  private readonly mode: 'auto' | 'ws' | 'poll';
  private readonly probeIntervalMs: number;
  private readonly requestTimeoutMs: number;
  private readonly log: (event: string, fields?: Record<string, unknown>) => void;
  private readonly linkDeps: LinkDeps;

  private token: string;
  private tokenGeneration = 0;
  private refusedTokenGeneration: number | null = null;
  private state: ConnectionSnapshot = { status: 'stopped', transport: null, nextAttemptAtMono: null, detail: null, tlsProblem: false, agent: null };
  private lastEmitted = '';
  private link: LinkSession | null = null;
  private backoff: BackoffState = INITIAL_BACKOFF;
  private cancelAttempt: () => void = () => {};
  /** Auto mode after a refused upgrade: connect by long polling until a probe or a trial shows WebSocket works. */
  private preferPoll = false;
  private nextProbeAtMono = 0;
  private cancelProbe: () => void = () => {};
  private handoverPending = false;
  /** The onEvents/onResync call in flight: the next link waits for it, so cursor() is current and calls never overlap. */
  private work: Promise<void> | null = null;
  private closing = new Set<Promise<void>>();
  /** Identifies the attempt waiting for `work`, so a stop() or a newer attempt cancels it. */
  private attemptMarker: object | null = null;

  constructor(private readonly options: RelayConnectionOptions) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.policy = options.backoff ?? DEFAULT_BACKOFF;
    assertValidPolicy(this.policy);
    // Configuration mistakes (bad URL, non-http proxy) throw here, once, rather than fail every attempt.
    relayEndpoint(options.relayUrl, 'ws', '/v1/agent');
    this.net = resolveNetSettings({ ca: options.ca, proxy: options.proxy, pins: options.pins });
    this.transports = options.transports ?? nodeTransports;
    this.mode = options.transport ?? 'auto';
    this.probeIntervalMs = options.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.log = options.log ?? (() => {});
    this.token = options.token;
    this.linkDeps = {
      clock: this.clock,
      log: this.log,
      onEvents: (events) => options.onEvents(events),
      onResync: (hello) => options.onResync(hello),
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      fallbackOnRefusal: this.mode === 'auto',
      live: (link) => this.onLive(link),
      failed: (link, failure) => this.onFailed(link, failure),
      track: (work) => {
        const tracked: Promise<void> = work.finally(() => {
          if (this.work === tracked) this.work = null;
        });
        this.work = tracked;
      },
      quiet: () => this.maybeHandover(),
      closing: (done) => {
        this.closing.add(done);
        void done.finally(() => this.closing.delete(done));
      },
    };
  }

  /** Connects. Also reconnects from 'stopped', 'superseded', 'unsupported_version' or 'credentials_needed' (an explicit user action). */
  start(): void {
    if (['connecting', 'live', 'polling', 'backing_off'].includes(this.state.status)) return;
    this.backoff = INITIAL_BACKOFF;
    this.connect();
  }

  /** Closes cleanly (status 'stopped'); resolves once the socket is closed and any onEvents/onResync in flight has settled. */
  async stop(): Promise<void> {
    this.cancelAttempt();
    this.cancelProbe();
    this.handoverPending = false;
    this.attemptMarker = null;
    const link = this.link;
    this.link = null;
    link?.drop('graceful', 'the connection was stopped');
    this.update({ status: 'stopped', transport: null, nextAttemptAtMono: null });
    await Promise.all([...this.closing]);
    await this.work;
  }

  /** Skips the backoff wait; after credentials_needed, only once setToken gave a new token. */
  retryNow(): void {
    const { status } = this.state;
    if (status === 'backing_off') {
      this.log('relay.retry_now');
      this.connect();
    } else if (status === 'credentials_needed' && this.refusedTokenGeneration !== this.tokenGeneration) {
      this.backoff = INITIAL_BACKOFF;
      this.connect();
    }
  }

  /** Used from the next attempt on; the current link, if any, keeps the token it opened with. */
  setToken(token: string): void {
    this.token = token;
    this.tokenGeneration += 1;
  }

  snapshot(): ConnectionSnapshot {
    return { ...this.state, agent: this.state.agent === null ? null : { ...this.state.agent } };
  }

  isLive(): boolean {
    return this.state.status === 'live' || this.state.status === 'polling';
  }

  /** Resolves with the relay's result or error; 'timeout' past the deadline, 'offline' (retryable) when not live or the link drops. */
  request(method: string, params: unknown, options: { deadlineMs?: number } = {}): Promise<Result<unknown>> {
    const link = this.link;
    if (link === null || link.hello === null || !this.isLive()) return Promise.resolve(fail('offline', 'not connected to the relay', true));
    if (method.length < 1 || method.length > 64) return Promise.resolve(fail('invalid_input', 'the method name must be 1 to 64 characters', false));
    const deadlineMs = Math.min(MAX_DEADLINE_MS, Math.max(1, Math.round(options.deadlineMs ?? this.requestTimeoutMs)));
    return link.request(method, params, deadlineMs);
  }

  // ---- attempts ----

  private connect(): void {
    this.cancelAttempt();
    this.cancelAttempt = () => {};
    const trial = this.mode === 'auto' && this.preferPoll && this.clock.monotonicNow() >= this.nextProbeAtMono;
    const kind: TransportKind = this.mode === 'poll' || (this.mode === 'auto' && this.preferPoll && !trial) ? 'poll' : 'ws';
    this.update({ status: 'connecting', transport: kind, nextAttemptAtMono: null });
    const marker = {};
    this.attemptMarker = marker;
    if (this.work === null) {
      this.open(kind, trial);
      return;
    }
    // A batch is still committing: wait, so the cursor we resume from includes it.
    void this.work.then(() => {
      if (this.attemptMarker === marker) this.open(kind, trial);
    });
  }

  private open(kind: TransportKind, trial: boolean): void {
    this.attemptMarker = null;
    let since: number | null;
    try {
      since = this.options.cursor();
    } catch {
      this.retryLater(null, { next: { retry: 'backoff' }, detail: detail('local_storage_failed'), tls: false });
      return;
    }
    const link = new LinkSession(this.linkDeps, kind, since, this.tokenGeneration, trial);
    this.link = link;
    this.log('relay.connecting', { transport: kind, since, attempt: this.backoff.attempt });
    const params: TransportParams = { relayUrl: this.options.relayUrl, token: this.token, deviceId: this.options.deviceId, since, net: this.net };
    link.open(this.transports, params);
  }

  private onLive(link: LinkSession): void {
    if (this.link !== link || link.hello === null) return;
    const hello = link.hello;
    this.backoff = backoffOnLive(this.backoff, this.clock.monotonicNow());
    if (link.kind === 'ws') {
      this.preferPoll = false;
      this.cancelProbe();
    } else if (this.mode === 'auto') {
      this.scheduleProbe();
    }
    this.log('relay.live', { transport: link.kind, mode: hello.mode, head: hello.head, since: link.since });
    this.update({
      status: link.kind === 'ws' ? 'live' : 'polling',
      transport: link.kind,
      nextAttemptAtMono: null,
      detail: null,
      tlsProblem: false,
      agent: { ...hello.agent, teams: hello.agent.teams.map((team) => ({ ...team })) },
    });
  }

  private onFailed(link: LinkSession, failure: LinkFailure): void {
    if (this.link !== link) return;
    this.link = null;
    if (link.kind === 'poll') {
      this.cancelProbe();
      this.handoverPending = false;
    }
    this.retryLater(link, failure);
  }

  private retryLater(link: LinkSession | null, { next, detail, tls }: LinkFailure): void {
    if (this.state.status === 'stopped') return;
    const now = this.clock.monotonicNow();
    this.backoff = backoffOnDown(this.backoff, now, this.policy);
    const plan = planRetry(next, {
      backoff: this.backoff,
      policy: this.policy,
      random01: this.random(),
      trialFailed: link !== null && link.trial && link.hello === null,
    });
    if (plan.kind === 'give_up') {
      if (plan.status === 'credentials_needed') this.refusedTokenGeneration = link?.tokenGeneration ?? this.tokenGeneration;
      this.log('relay.gave_up', { status: plan.status, detail });
      this.update({ status: plan.status, transport: null, nextAttemptAtMono: null, detail, tlsProblem: tls });
      return;
    }
    if (plan.kind === 'poll_now') {
      if (plan.preferPoll) this.preferPoll = true;
      this.nextProbeAtMono = now + this.probeIntervalMs;
      this.log('relay.polling_fallback', { detail });
      this.update({ detail, tlsProblem: tls });
      this.connect();
      return;
    }
    const { delayMs } = plan;
    this.backoff = plan.backoff;
    this.log('relay.backing_off', { delayMs, attempt: this.backoff.attempt, detail });
    this.update({ status: 'backing_off', transport: null, nextAttemptAtMono: now + delayMs, detail, tlsProblem: tls });
    this.cancelAttempt = this.clock.setTimer(delayMs, () => {
      if (this.state.status === 'backing_off') this.connect();
    });
  }

  // ---- back from long polling to WebSocket ----

  private scheduleProbe(): void {
    this.cancelProbe();
    const now = this.clock.monotonicNow();
    if (this.nextProbeAtMono <= now) this.nextProbeAtMono = now + this.probeIntervalMs;
    this.cancelProbe = this.clock.setTimer(this.nextProbeAtMono - now, () => void this.probe());
  }

  private async probe(): Promise<void> {
    const link = this.link;
    if (link === null || link.kind !== 'poll' || link.hello === null) return;
    const params: TransportParams = { relayUrl: this.options.relayUrl, token: '', deviceId: this.options.deviceId, since: null, net: this.net };
    const works = await this.transports.probeWebSocket(params).catch(() => false);
    this.log('relay.ws_probe', { works });
    if (this.link !== link) return;
    this.nextProbeAtMono = this.clock.monotonicNow() + this.probeIntervalMs;
    if (!works) {
      this.scheduleProbe();
      return;
    }
    this.handoverPending = true;
    this.maybeHandover();
  }

  /** Switches from polling to WebSocket at a quiet moment: no request waiting, no batch committing, nothing held. */
  private maybeHandover(): void {
    if (!this.handoverPending) return;
    const link = this.link;
    if (link === null || link.kind !== 'poll') {
      this.handoverPending = false;
      return;
    }
    if (!link.isQuiet) return;
    this.handoverPending = false;
    this.log('relay.handover', { from: 'poll', to: 'ws' });
    this.link = null;
    link.drop('graceful', 'moving to WebSocket');
    this.nextProbeAtMono = this.clock.monotonicNow();
    this.connect();
  }

  private update(change: Partial<ConnectionSnapshot>): void {
    this.state = { ...this.state, ...change };
    const text = JSON.stringify(this.state);
    if (text === this.lastEmitted) return;
    this.lastEmitted = text;
    try {
      this.options.onStateChange(this.snapshot());
    } catch (error) {
      this.log('relay.state_listener_failed', { error: error instanceof Error ? error.name : typeof error });
    }
  }
}
