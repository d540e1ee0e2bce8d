// Fake transports and a fake clock for RelayConnection unit tests: the tests play the relay frame by frame.
import type { BackoffPolicy } from '../../../shared/backoff';
import { createFakeClock } from '../../../shared/clock';
import { PROTOCOL_VERSION, type HelloFrame, type SequencedEvent } from '../../../shared/protocol';
import { RelayConnection } from '../relay-connection';
import type {
  ConnectionSnapshot,
  RelayConnectionOptions,
  RelayTransport,
  TransportEnd,
  TransportFactory,
  TransportHandlers,
  TransportKind,
  TransportParams,
} from '../relay-connection-types';

export const POLICY: BackoffPolicy = { baseMs: 100, capMs: 1_000, resetAfterMs: 10_000 };

export const HELLO: HelloFrame = {
  type: 'hello',
  protocol: PROTOCOL_VERSION,
  sessionId: 's-1',
  agent: { id: 'ana', name: 'Ana Cohen', role: 'agent', teams: [{ id: 'main', name: 'Main' }] },
  deviceId: 'dev-1',
  head: 0,
  oldest: 1,
  mode: 'resume',
  heartbeatMs: 1_000,
  deadAfterMs: 3_000,
  maxFrameBytes: 262_144,
  eventWindow: 2_000,
};

export function event(seq: number): SequencedEvent {
  return { seq, event: { kind: 'message.status', messageId: `m-${seq}`, conversationId: 'c-1', status: 'sent', failure: null, at: seq } };
}

export class FakeTransport implements RelayTransport {
  readonly sent: { type: string; [key: string]: unknown }[] = [];
  closedHow: 'graceful' | 'abort' | null = null;

  constructor(
    readonly kind: TransportKind,
    readonly params: TransportParams,
    private readonly handlers: TransportHandlers,
  ) {}

  send(text: string): void {
    this.sent.push(JSON.parse(text) as { type: string });
  }

  close(how: 'graceful' | 'abort'): Promise<void> {
    this.closedHow = how;
    return Promise.resolve();
  }

  hello(over: Partial<HelloFrame> = {}): void {
    this.frame({ ...HELLO, ...over });
  }

  events(...seqs: number[]): void {
    this.frame({ type: 'events', events: seqs.map(event) });
  }

  frame(value: unknown): void {
    this.handlers.frame(JSON.stringify(value));
  }

  end(how: TransportEnd): void {
    this.handlers.ended(how);
  }

  of(type: string) {
    return this.sent.filter((f) => f.type === type);
  }

  get acks(): unknown[] {
    return this.of('ack').map((f) => f['seq']);
  }
}

export class FakeNet implements TransportFactory {
  readonly opened: FakeTransport[] = [];
  probes = 0;
  probeAnswer = false;

  open(kind: TransportKind, params: TransportParams, handlers: TransportHandlers): RelayTransport {
    const transport = new FakeTransport(kind, params, handlers);
    this.opened.push(transport);
    return transport;
  }

  probeWebSocket(): Promise<boolean> {
    this.probes += 1;
    return Promise.resolve(this.probeAnswer);
  }

  get last(): FakeTransport {
    const last = this.opened.at(-1);
    if (last === undefined) throw new Error('no transport opened yet');
    return last;
  }
}

export interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
}

export function deferred(): Deferred {
  let resolve = () => {};
  let reject: (error: Error) => void = () => {};
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets promise callbacks run (no time passes on the fake clock). */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

export const refused = (): TransportEnd => ({ kind: 'network', error: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });

export function setup(over: Partial<RelayConnectionOptions> = {}) {
  const clock = createFakeClock();
  const net = new FakeNet();
  const states: ConnectionSnapshot[] = [];
  const delivered: number[][] = [];
  const state = { cursor: 0 as number | null, gate: null as Deferred | null };
  const conn = new RelayConnection({
    relayUrl: 'https://relay.test',
    token: 'tok-1',
    deviceId: 'dev-1',
    cursor: () => state.cursor,
    onEvents: async (events) => {
      delivered.push(events.map((e) => e.seq));
      if (state.gate !== null) await state.gate.promise;
      state.cursor = events.at(-1)!.seq;
    },
    onResync: async (hello) => {
      state.cursor = hello.head;
    },
    onStateChange: (s) => states.push(s),
    clock,
    random: () => 0.5,
    backoff: POLICY,
    transports: net,
    ...over,
  });
  /** The wait before the next attempt; throws unless backing off. */
  const delay = () => {
    const snap = conn.snapshot();
    if (snap.status !== 'backing_off' || snap.nextAttemptAtMono === null) throw new Error(`expected backing_off, got ${snap.status}`);
    return snap.nextAttemptAtMono - clock.monotonicNow();
  };
  return { clock, net, conn, states, delivered, state, delay };
}
