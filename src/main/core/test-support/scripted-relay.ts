// A relay link a test plays by hand for a whole console core: who each token belongs to, what each request answers,
// events in with consecutive seqs, and the link up or down. Every request is recorded.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createFakeClock, type FakeClock } from '../../../shared/clock';
import type { ConsoleEvent, ConsoleMethod, EventPayload, SessionAgent } from '../../../shared/contract';
import type { Result } from '../../../shared/errors';
import type { HelloFrame, SequencedEvent } from '../../../shared/protocol';
import { createConsole, type Console, type ConsoleOptions } from '../create-console';
import type { ConnectionFactory, LinkSnapshot, SessionLinkOptions } from '../service-types';

export const NOW = Date.UTC(2026, 5, 2, 10);

export const ANA: SessionAgent = { id: 'ana', name: 'Ana Cohen', role: 'agent', teams: [{ id: 'main', name: 'Main branch' }] };
export const BEN: SessionAgent = { id: 'ben', name: 'Ben Katz', role: 'agent', teams: [{ id: 'main', name: 'Main branch' }] };
export const SAM: SessionAgent = {
  id: 'sam',
  name: 'Sam Supervisor',
  role: 'supervisor',
  teams: [
    { id: 'main', name: 'Main branch' },
    { id: 'north', name: 'North branch' },
  ],
};
/** Tokens of the agents above, as a relay would know them. */
export const TOKENS: Record<string, SessionAgent> = { blt_token_ana_0001: ANA, blt_token_ben_0001: BEN, blt_token_sam_0001: SAM };

type Answer = (params: unknown) => Result<unknown>;

export class ScriptedRelay {
  options: SessionLinkOptions | null = null;
  snapshot: LinkSnapshot = { status: 'connecting', transport: null, nextAttemptAtMono: null, detail: null, tlsProblem: false, agent: null };
  readonly requests: { method: string; params: unknown }[] = [];
  readonly answers: Record<string, Answer> = {};
  /** The cursor each connection started from (what the console would send as `since`). */
  readonly cursors: (number | null)[] = [];
  private seq = 0;
  /** The token the next attempt carries (setToken after a refresh changes it, as RelayConnection does). */
  token: string | null = null;
  /** Who a token belongs to, for hello(): the static tokens above unless a test plays device sessions. */
  agentOf: (token: string) => SessionAgent | null = (token) => TOKENS[token] ?? null;
  /** Called by retryNow() and start(): a test may answer with hello() at once. */
  onAttempt: (() => void) | null = null;

  readonly factory: ConnectionFactory = (options) => {
    this.options = options;
    this.token = options.token;
    return {
      start: () => {
        this.cursors.push(options.cursor());
        if (this.onAttempt !== null) queueMicrotask(this.onAttempt);
      },
      stop: async () => this.set({ status: 'stopped', transport: null, agent: null }),
      retryNow: () => this.onAttempt?.(),
      setToken: (token) => void (this.token = token),
      snapshot: () => this.snapshot,
      request: async (method, params) => {
        this.requests.push({ method, params });
        if (this.snapshot.status !== 'live') return { ok: false, error: { code: 'offline', message: 'not live', retryable: true } };
        return this.answers[method]?.(params) ?? { ok: false, error: { code: 'unavailable', message: `no answer for ${method}`, retryable: true } };
      },
    };
  };

  set(change: Partial<LinkSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...change };
    this.options?.onStateChange(this.snapshot);
  }

  /** The hello: live, as the agent the connection's token belongs to. */
  live(): void {
    const agent = TOKENS[this.options!.token] ?? null;
    this.set({ status: 'live', transport: 'ws', agent, detail: null });
  }

  /** A hello if the relay knows the current token, else the refusal (HTTP 401, close 4001). */
  hello(): void {
    const agent = this.token === null ? null : this.agentOf(this.token);
    if (agent !== null) this.set({ status: 'live', transport: 'ws', agent, detail: null });
    else this.refuse();
  }

  /** The relay closed the link with 4001 (session expired or revoked). */
  refuse(): void {
    this.set({ status: 'credentials_needed', transport: null, agent: null, detail: { code: 'token_refused', params: { closeCode: 4001 } } });
  }

  down(): void {
    this.set({ status: 'backing_off', transport: null, nextAttemptAtMono: 5_000 });
  }

  /** Events with the next seqs, committed like the real link does (awaits onEvents). */
  async deliver(events: SequencedEvent['event'][]): Promise<void> {
    await this.options!.onEvents(events.map((event) => ({ seq: ++this.seq, event })));
  }

  /** An events.skipped for `count` seqs the agent may not see. */
  async skip(count: number): Promise<number> {
    const fromSeq = this.seq + 1;
    this.seq += count;
    await this.options!.onEvents([{ seq: this.seq, event: { kind: 'events.skipped', fromSeq } }]);
    return this.seq;
  }

  /** A resync hello at the current head: the console pages the relay's state (answers for list and history needed). */
  async resync(): Promise<void> {
    await this.options!.onResync({ head: this.seq } as HelloFrame);
  }

  sent(method: string): unknown[] {
    return this.requests.filter((r) => r.method === method).map((r) => r.params);
  }
}

/** A console core over a fresh cache and a scripted relay, with its events recorded. */
export function scriptedConsole(
  cleanup: (c: Console) => void,
  dataDir = mkdtempSync(path.join(tmpdir(), 'branchline-scripted-')),
  options: Partial<ConsoleOptions> = {},
) {
  const clock: FakeClock = createFakeClock(NOW, 0);
  const relay = new ScriptedRelay();
  const core = createConsole({ dataDir, connect: relay.factory, clock, random: () => 0, coalesceMs: 50, signInTimeoutMs: 2_000, ...options });
  cleanup(core);
  const events: { event: ConsoleEvent; payload: unknown }[] = [];
  core.service.on((event, payload) => events.push({ event, payload }));
  const of = <E extends ConsoleEvent>(event: E) => events.filter((e) => e.event === event).map((e) => e.payload as EventPayload<E>);
  const call = async <M extends ConsoleMethod>(method: M, input: unknown) => core.service.call(method, input);
  /** The call's value, or a thrown error naming its code. */
  const value = async <T>(method: ConsoleMethod, input: unknown): Promise<T> => {
    const result = await core.service.call(method, input);
    if (!result.ok) throw new Error(`${method}: ${result.error.code} ${result.error.message}`);
    return result.value as T;
  };
  /** Signs in with a token; the relay answers at once as that token's agent. */
  const signIn = async (token: string) => {
    const signing = core.service.call('session.signIn', { relayUrl: 'ws://127.0.0.1:9', token });
    await Promise.resolve();
    relay.live();
    const result = await signing;
    if (!result.ok) throw new Error(`sign-in: ${result.error.code}`);
    return result.value;
  };
  /** Lets the 50 ms batch of UI events go out. */
  const flush = () => clock.advance(60);
  return { core, store: core.store, clock, relay, events, of, call, value, signIn, flush };
}
