// One transport's lifetime as a protocol session: hello, gap-free events acked after commit, heartbeat, requests.
import { z } from 'zod';
import type { Clock } from '../../shared/clock';
import { fail, toAppError, type Result } from '../../shared/errors';
import { PROTOCOL_VERSION, ServerFrame, parseFrame, type HelloFrame, type SequencedEvent } from '../../shared/protocol';
import { detail, interpretEnd, networkFailure, type LinkFailure } from './domain/link-failure';
import type { RelayTransport, TransportFactory, TransportKind, TransportParams } from './relay-connection-types';

export type { LinkFailure, Next } from './domain/link-failure';

export interface LinkDeps {
  clock: Clock;
  log: (event: string, fields?: Record<string, unknown>) => void;
  onEvents: (events: SequencedEvent[]) => Promise<void>;
  onResync: (hello: HelloFrame) => Promise<void>;
  connectTimeoutMs: number;
  /** Auto mode: a refused upgrade means "carry on over long polling now", not a failure to back off from. */
  fallbackOnRefusal: boolean;
  /** The hello arrived. */
  live(link: LinkSession): void;
  /** The link failed and has dropped itself; the connection decides what comes next. */
  failed(link: LinkSession, failure: LinkFailure): void;
  /** An onEvents/onResync call is in flight: the next link waits for it (its cursor must include it; calls never overlap). */
  track(work: Promise<void>): void;
  /** A request settled or a batch committed: a moment when switching transports loses nothing. */
  quiet(): void;
  /** A transport is closing: stop() waits for it. */
  closing(done: Promise<void>): void;
}

interface PendingRequest {
  method: string;
  settle: (result: Result<unknown>) => void;
}

let requestCounter = 0;

export class LinkSession {
  hello: HelloFrame | null = null;
  private transport: RelayTransport | null = null;
  /** Seq the next event must have: a gap or a repeat means the stream cannot be trusted. */
  private nextSeq = 0;
  /** Received, not yet handed to onEvents (held during a resync or while a batch commits). */
  private queue: SequencedEvent[] = [];
  private delivering = false;
  private resyncing = false;
  private lastSentAt: number;
  private lastReceivedAt: number;
  private cancelTimer: () => void = () => {};
  private readonly pending = new Map<string, PendingRequest>();
  private dropped = false;

  constructor(
    private readonly deps: LinkDeps,
    readonly kind: TransportKind,
    readonly since: number | null,
    readonly tokenGeneration: number,
    /** A WebSocket attempt made while on the poll fallback: if it fails before hello, polling resumes at once. */
    readonly trial: boolean,
  ) {
    this.lastSentAt = this.lastReceivedAt = deps.clock.monotonicNow();
  }

  open(factory: TransportFactory, params: TransportParams): void {
    const { connectTimeoutMs } = this.deps;
    this.cancelTimer = this.deps.clock.setTimer(connectTimeoutMs, () => {
      if (this.hello === null)
        this.fail('abort', { next: { retry: 'backoff' }, detail: detail('connect_timeout', { seconds: Math.round(connectTimeoutMs / 1000) }), tls: false });
    });
    try {
      this.transport = factory.open(this.kind, params, {
        frame: (text) => {
          if (!this.dropped) this.onFrame(text);
        },
        alive: () => {
          this.lastReceivedAt = this.deps.clock.monotonicNow();
        },
        ended: (end) => {
          if (!this.dropped)
            this.fail(
              'abort',
              interpretEnd(end, { kind: this.kind, wasLive: this.hello !== null, fallbackOnRefusal: this.deps.fallbackOnRefusal }, this.deps.clock.wallNow()),
            );
        },
      });
    } catch (error) {
      this.fail('abort', { next: { retry: 'backoff' }, ...networkFailure(error) });
    }
  }

  /** Nothing in flight that a transport switch would lose. */
  get isQuiet(): boolean {
    return this.pending.size === 0 && !this.delivering && !this.resyncing && this.queue.length === 0;
  }

  /** Only on a live link (hello received). */
  request(method: string, params: unknown, deadlineMs: number): Promise<Result<unknown>> {
    const id = `r${++requestCounter}`;
    let text: string;
    try {
      text = JSON.stringify({ type: 'req', id, method, params, deadlineMs });
    } catch {
      return Promise.resolve(fail('invalid_input', `the parameters of ${method} cannot be sent as JSON`, false));
    }
    if (text.length > (this.hello?.maxFrameBytes ?? 0))
      return Promise.resolve(fail('payload_too_large', `the ${method} request exceeds the relay's frame limit`, false));
    return new Promise((resolve) => {
      let cancelDeadline = () => {};
      const entry: PendingRequest = {
        method,
        settle: (result) => {
          if (!this.pending.delete(id)) return;
          cancelDeadline();
          resolve(result);
          this.deps.quiet();
        },
      };
      this.pending.set(id, entry);
      cancelDeadline = this.deps.clock.setTimer(deadlineMs, () => entry.settle(fail('timeout', `no answer to ${method} within ${deadlineMs} ms`, true)));
      this.send(text);
    });
  }

  /** Ends the link: no callback of it counts any more, its requests fail as 'offline' (retryable). Idempotent. */
  drop(how: 'graceful' | 'abort', why: string): void {
    if (this.dropped) return;
    this.dropped = true;
    this.cancelTimer();
    this.queue = [];
    if (this.transport !== null) this.deps.closing(this.transport.close(how).catch(() => {}));
    for (const pending of [...this.pending.values()])
      pending.settle(fail('offline', `the connection to the relay dropped before ${pending.method} was answered`, true));
    this.deps.log('relay.link_dropped', { transport: this.kind, why });
  }

  private fail(how: 'graceful' | 'abort', failure: LinkFailure): void {
    if (this.dropped) return;
    this.drop(how, failure.detail.code);
    this.deps.failed(this, failure);
  }

  /** The relay broke the protocol: the log says how (for IT and us); the agent sees "protocol error". */
  private protocolFailure(reason: string): void {
    this.deps.log('relay.protocol_failure', { reason });
    this.fail('graceful', { next: { retry: 'backoff' }, detail: detail('protocol_error'), tls: false });
  }

  private onFrame(text: string): void {
    this.lastReceivedAt = this.deps.clock.monotonicNow();
    const parsed = parseFrame(ServerFrame, text);
    if (!parsed.ok) {
      const peek = peekFrame(text);
      if (peek.type === 'hello' && typeof peek.protocol === 'number' && peek.protocol !== PROTOCOL_VERSION) {
        return this.fail('graceful', {
          next: { retry: 'never', status: 'unsupported_version' },
          detail: detail('version_unsupported', { relayProtocol: peek.protocol }),
          tls: false,
        });
      }
      // Skipping an events or hello frame would lose data or state: only a fresh start is safe.
      if (peek.type === 'events' || peek.type === 'hello')
        return this.protocolFailure(`the relay sent a ${peek.type} frame this console cannot read (${parsed.error.message})`);
      this.deps.log('relay.frame_ignored', { type: peek.type, reason: parsed.error.message });
      return;
    }
    const frame = parsed.frame;
    switch (frame.type) {
      case 'hello':
        if (this.hello !== null) return this.protocolFailure('the relay sent a second hello');
        return this.onHello(frame);
      case 'events':
        if (this.hello === null) return this.protocolFailure('the relay sent events before hello');
        for (const event of frame.events) {
          // events.skipped stands for every seq from fromSeq to its own (events this agent may not see): still gap-free.
          const first = event.event.kind === 'events.skipped' ? event.event.fromSeq : event.seq;
          if (first !== this.nextSeq || event.seq < first)
            return this.protocolFailure(`the relay skipped or repeated events (expected seq ${this.nextSeq}, got ${first}..${event.seq})`);
          this.nextSeq = event.seq + 1;
          this.queue.push(event);
        }
        return this.pump();
      case 'res':
        this.pending.get(frame.id)?.settle(frame.ok ? { ok: true, value: frame.result } : { ok: false, error: toAppError(frame.error) });
        return;
      case 'error':
        this.deps.log('relay.error_frame', { code: frame.error.code, message: frame.error.message });
        return;
      case 'ping':
        return this.send('{"type":"pong"}');
      case 'pong':
        return;
    }
  }

  private onHello(hello: HelloFrame): void {
    this.hello = hello;
    this.cancelTimer();
    this.nextSeq = (hello.mode === 'resume' && this.since !== null ? this.since : hello.head) + 1;
    this.deps.live(this);
    if (this.dropped) return; // the state listener stopped the connection
    this.scheduleHeartbeat();
    if (hello.mode === 'resync') {
      this.resyncing = true;
      this.runWork(
        () => this.deps.onResync(hello),
        () => {
          this.resyncing = false;
          // The rebuilt state is committed: acking head tells the relay this device caught up (else it resyncs it again).
          // Events held meanwhile are acked after their own commit, which acks head with them.
          if (this.queue.length === 0) this.send(`{"type":"ack","seq":${hello.head}}`);
          this.pump();
        },
        'could not rebuild the local state after a resync',
      );
    }
  }

  /** Hands queued events to onEvents one batch at a time; acks the batch once it is committed. */
  private pump(): void {
    if (this.dropped || this.delivering || this.resyncing || this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.delivering = true;
    const lastSeq = batch[batch.length - 1]!.seq;
    this.runWork(
      () => this.deps.onEvents(batch),
      () => {
        this.delivering = false;
        this.send(`{"type":"ack","seq":${lastSeq}}`);
        this.deps.log('relay.acked', { seq: lastSeq, count: batch.length });
        this.pump();
        this.deps.quiet();
      },
      'could not store received events locally',
    );
  }

  /** Runs the caller's onEvents/onResync; on success continues (if the link still stands), on failure drops the link. */
  private runWork(call: () => Promise<void>, then: () => void, failureDetail: string): void {
    let promise: Promise<void>;
    try {
      promise = Promise.resolve(call());
    } catch (error) {
      promise = Promise.reject(error);
    }
    this.deps.track(
      promise.then(
        () => {
          if (!this.dropped) then();
        },
        (error: unknown) => {
          this.deps.log('relay.local_failure', { what: failureDetail, error: error instanceof Error ? error.name : typeof error });
          this.fail('graceful', { next: { retry: 'backoff' }, detail: detail('local_storage_failed'), tls: false });
        },
      ),
    );
  }

  private send(text: string): void {
    this.lastSentAt = this.deps.clock.monotonicNow();
    this.transport?.send(text);
  }

  /** Pings when nothing was sent for heartbeatMs; declares the link dead when nothing came for deadAfterMs. */
  private scheduleHeartbeat(): void {
    const { heartbeatMs, deadAfterMs } = this.hello!;
    const due = Math.min(this.lastSentAt + heartbeatMs, this.lastReceivedAt + deadAfterMs);
    this.cancelTimer = this.deps.clock.setTimer(Math.max(1, due - this.deps.clock.monotonicNow()), () => {
      if (this.dropped) return;
      const now = this.deps.clock.monotonicNow();
      if (now - this.lastReceivedAt >= deadAfterMs) {
        // Do not wait for TCP: a half-open link can look open for many minutes.
        this.fail('abort', { next: { retry: 'backoff' }, detail: detail('dead_link', { seconds: Math.round(deadAfterMs / 1000) }), tls: false });
        return;
      }
      if (now - this.lastSentAt >= heartbeatMs) this.send('{"type":"ping"}');
      this.scheduleHeartbeat();
    });
  }
}

/** Enough of a frame that did not parse to say what it was meant to be (a hello of another protocol version). */
const FramePeek = z.object({ type: z.string().catch(''), protocol: z.unknown() }).catch({ type: '', protocol: undefined });

function peekFrame(text: string): { type: string | null; protocol: unknown } {
  try {
    const peek = FramePeek.parse(JSON.parse(text));
    return { type: peek.type === '' ? null : peek.type.slice(0, 32), protocol: peek.protocol };
  } catch {
    return { type: null, protocol: undefined };
  }
}
