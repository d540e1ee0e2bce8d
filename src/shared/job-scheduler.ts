// One scheduler for every durable job queue: asks storage for due jobs, runs them one per key under a cap, retries with backoff.
import { assertValidPolicy, fullJitterDelayMs, type BackoffPolicy } from './backoff';
import type { Clock } from './clock';

/** Storage may answer at once (better-sqlite3) or later (a database port): the scheduler awaits either. */
export type Awaitable<T> = T | Promise<T>;

/** A job as storage holds it. `data` is what was stored: it is trusted only once `parse` accepted it. */
export interface StoredJob<D> {
  /** Unique among the queue's jobs. */
  readonly id: string;
  /** Jobs sharing a key (a conversation) never run at the same time; their order is storage's to keep. */
  readonly key: string;
  /** Tries made so far: the backoff grows with it. */
  readonly attempts: number;
  readonly data: D;
}

/** A job about to run: its stored payload, parsed. */
export interface Job<P> {
  readonly id: string;
  readonly key: string;
  readonly attempts: number;
  readonly payload: P;
}

export type JobOutcome =
  /** The owner has recorded what became of the job (or, stopping, chose to record nothing). */
  | { readonly kind: 'done' }
  /**
   * Not this time: storage offers the job again after a backoff of at least `atLeastMs`.
   * `onScheduled` hears the wait chosen, once storage has it.
   */
  | { readonly kind: 'retry'; readonly atLeastMs?: number; readonly onScheduled?: (retryInMs: number) => void };

export type ParseResult<P> = { readonly ok: true; readonly value: P } | { readonly ok: false; readonly reason: string };

export interface JobStorage<D> {
  /** Jobs due at wall time `now`, at most `limit`, in the order they should go (at most one per key is best). */
  due(now: number, limit: number): Awaitable<readonly StoredJob<D>[]>;
  /**
   * The earliest wall time a job not in `excluding` falls due, or null when none waits. Without it, the scheduler
   * looks every `idlePollMs` and when a retry or a refused admission falls due.
   */
  nextDue?(excluding: readonly string[]): Awaitable<number | null>;
  /** Stores the next try: `attempts` tries made, due again at wall time `at`. */
  retryLater(job: StoredJob<D>, attempts: number, at: number): Awaitable<void>;
}

export interface JobSchedulerOptions<D, P> {
  readonly clock: Clock;
  /** A sample in [0, 1) for the backoff's jitter. */
  readonly random: () => number;
  readonly backoff: BackoffPolicy;
  /** Jobs running at once, each under a different key. */
  readonly concurrency: number;
  readonly storage: JobStorage<D>;
  /** Checks a stored payload before it runs (Signal's parseData): a refusal goes to `rejected`, never to `run`. */
  parse(data: D): ParseResult<P>;
  /** A payload `parse` refused will never run: the owner records it as failed for good, with the reason. */
  rejected(job: StoredJob<D>, reason: string): Awaitable<void>;
  /** Does the job. It should not throw: a throw is reported to `onError` and the job tried again after the backoff's cap. */
  run(job: Job<P>): Promise<JobOutcome>;
  /** Before each look: false skips it (the owner wakes the scheduler once work may go, e.g. the link is back). */
  beforeLook?(): Awaitable<boolean>;
  /** Whether a due job may start now (a rate limit): refused, it stays queued and is looked at again after `waitMs`. */
  admit?(job: Job<P>): { readonly ok: true } | { readonly ok: false; readonly waitMs: number };
  /** How often to look when nothing wakes the scheduler sooner; needed only by storage without `nextDue`. */
  readonly idlePollMs?: number;
  /** A look or a job failed in a way the scheduler cannot act on; `jobId` is null for a look. */
  onError(error: unknown, jobId: string | null): void;
}

/** For storage that validated its rows itself: every payload runs as stored. */
export function payloadAsStored<D>(): Pick<JobSchedulerOptions<D, D>, 'parse' | 'rejected'> {
  return { parse: (data) => ({ ok: true, value: data }), rejected: () => {} };
}

/** setTimeout fires at once past this (Node and browsers alike); a longer wait is planned again when this one ends. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Running {
  readonly key: string;
  done: Promise<void>;
}

export class JobScheduler<D, P> {
  private readonly inFlight = new Map<string, Running>();
  private looking: { done: Promise<void> } | null = null;
  private again = false;
  private stopping = false;
  private timer: { readonly dueAt: number; cancel: () => void } | null = null;

  constructor(private readonly options: JobSchedulerOptions<D, P>) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1)
      throw new RangeError(`concurrency must be a whole number >= 1, got ${options.concurrency}`);
    assertValidPolicy(options.backoff);
  }

  /** Jobs started and not yet finished. */
  get pending(): number {
    return this.inFlight.size;
  }

  /** True once stop() was called: a job still running should record nothing more. */
  get stopped(): boolean {
    return this.stopping;
  }

  /** Something changed (work queued, a limit lifted, a link came up): look for due jobs. Wakes during a look coalesce into one more. */
  wake(): void {
    if (this.stopping) return;
    if (this.looking !== null) {
      this.again = true;
      return;
    }
    // Set before the look's first line runs: a wake from inside it (a job started synchronously) must coalesce too.
    const looking = { done: Promise.resolve() };
    this.looking = looking;
    looking.done = this.look().finally(() => {
      this.looking = null;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  /** Stops taking work and waits, at most `graceMs`, for the look and the jobs in flight. */
  async stop(graceMs = 0): Promise<void> {
    this.stopping = true;
    this.timer?.cancel();
    this.timer = null;
    const busy = [...this.inFlight.values()].map((r) => r.done);
    if (this.looking !== null) busy.push(this.looking.done);
    if (busy.length === 0 || graceMs <= 0) return;
    let cancel = () => {};
    const timeout = new Promise<void>((resolve) => (cancel = this.options.clock.setTimer(graceMs, resolve)));
    await Promise.race([Promise.allSettled(busy), timeout]);
    cancel();
  }

  private async look(): Promise<void> {
    const { options } = this;
    let held: readonly string[];
    let soonest: number;
    try {
      if (options.beforeLook !== undefined && !(await options.beforeLook())) return;
      if (this.stopping) return;
      ({ held, soonest } = await this.startDue());
    } catch (error) {
      this.report(error, null);
      // Storage failed (a disk, a lost connection): try again later rather than spin on the same error.
      this.lookIn(options.idlePollMs ?? options.backoff.capMs);
      return;
    }
    if (this.stopping) return;
    try {
      await this.planNextLook(held, soonest);
    } catch (error) {
      this.report(error, null);
      this.lookIn(options.idlePollMs ?? options.backoff.capMs);
    }
  }

  /** Starts what is due and may go; returns the due jobs held back, and the soonest a refused admission may retry. */
  private async startDue(): Promise<{ held: string[]; soonest: number }> {
    const { options } = this;
    const held: string[] = [];
    let soonest = Number.POSITIVE_INFINITY;
    if (this.inFlight.size >= options.concurrency) return { held, soonest };
    const due = await options.storage.due(options.clock.wallNow(), options.concurrency);
    for (const stored of due) {
      if (this.stopping || this.inFlight.size >= options.concurrency) break;
      if (this.inFlight.has(stored.id)) continue;
      // Its key's job in flight wakes the scheduler when it ends: no timer needed for this one.
      if (this.keyBusy(stored.key)) {
        held.push(stored.id);
        continue;
      }
      const parsed = options.parse(stored.data);
      if (!parsed.ok) {
        try {
          await options.rejected(stored, parsed.reason);
        } catch (error) {
          this.report(error, stored.id);
        }
        continue;
      }
      const job: Job<P> = { id: stored.id, key: stored.key, attempts: stored.attempts, payload: parsed.value };
      const admitted = options.admit?.(job) ?? { ok: true };
      if (!admitted.ok) {
        held.push(stored.id);
        soonest = Math.min(soonest, Math.max(1, admitted.waitMs));
        continue;
      }
      this.start(job, stored);
    }
    return { held, soonest };
  }

  private report(error: unknown, jobId: string | null): void {
    try {
      this.options.onError(error, jobId);
    } catch {
      // The owner's reporter failed too: nothing is left to tell, and the queue must keep going.
    }
  }

  private keyBusy(key: string): boolean {
    for (const running of this.inFlight.values()) if (running.key === key) return true;
    return false;
  }

  private start(job: Job<P>, stored: StoredJob<D>): void {
    // In the map before the job's first line runs: a wake from inside it must already see the job in flight.
    const running: Running = { key: job.key, done: Promise.resolve() };
    this.inFlight.set(job.id, running);
    running.done = this.execute(job, stored).finally(() => {
      this.inFlight.delete(job.id);
      this.wake();
    });
  }

  private async execute(job: Job<P>, stored: StoredJob<D>): Promise<void> {
    const { options } = this;
    let outcome: JobOutcome;
    try {
      outcome = await options.run(job);
    } catch (error) {
      // A bug or a local fault: the job must neither be lost nor run again at once (storage still offers it).
      this.report(error, job.id);
      outcome = { kind: 'retry', atLeastMs: options.backoff.capMs };
    }
    // Stopping, the owner may already have closed storage: a job not finished stays as stored, to run next time.
    if (outcome.kind === 'done' || this.stopping) return;
    try {
      const wait = Math.max(fullJitterDelayMs(job.attempts, options.backoff, options.random()), outcome.atLeastMs ?? 0);
      await options.storage.retryLater(stored, job.attempts + 1, options.clock.wallNow() + wait);
      this.lookIn(wait);
      outcome.onScheduled?.(wait);
    } catch (error) {
      this.report(error, job.id);
    }
  }

  /**
   * With `nextDue`, the next look is when storage says the next job falls due (replacing any planned look);
   * without it, the idle poll. Either way no later than a refused admission may retry.
   */
  private async planNextLook(held: readonly string[], soonest: number): Promise<void> {
    const { options } = this;
    if (options.storage.nextDue === undefined) {
      this.lookIn(Math.min(options.idlePollMs ?? Number.POSITIVE_INFINITY, soonest));
      return;
    }
    const due = await options.storage.nextDue([...this.inFlight.keys(), ...held]);
    if (this.stopping) return;
    let wait = due === null ? Number.POSITIVE_INFINITY : Math.max(0, due - options.clock.wallNow());
    // A job that fell due after `due` looked must still run, so look again even for a wait of 0 — unless every
    // slot is busy: the next job to finish wakes the scheduler.
    if (wait === 0 && this.inFlight.size >= options.concurrency) wait = Number.POSITIVE_INFINITY;
    this.timer?.cancel();
    this.timer = null;
    this.lookIn(Math.min(Math.max(1, wait), soonest));
  }

  /** Looks again after `delayMs` of monotonic time, unless an earlier look is already planned. */
  private lookIn(delayMs: number): void {
    if (this.stopping || !Number.isFinite(delayMs)) return;
    const delay = Math.min(Math.max(0, delayMs), MAX_TIMER_MS);
    const dueAt = this.options.clock.monotonicNow() + delay;
    if (this.timer !== null && this.timer.dueAt <= dueAt) return;
    this.timer?.cancel();
    const timer = { dueAt, cancel: () => {} };
    this.timer = timer;
    timer.cancel = this.options.clock.setTimer(delay, () => {
      if (this.timer === timer) this.timer = null;
      this.wake();
    });
  }
}
