// Which business numbers this relay instance sends for: one instance per number across the cluster, so Meta's
// per-number throughput and per-customer pacing, counted in that one process, hold for every instance together.
import type { Clock } from '../shared/clock';
import type { Logger } from './log';

/** Locks named by business number, held by this process until it releases them or dies (PostgreSQL session locks). */
export interface NumberLocks {
  /** Takes the number's lock (true also when this process holds it already); false: another instance holds it. */
  tryLock(phoneNumberId: string): Promise<boolean>;
  /** The numbers whose locks this process holds now: empty once the connection holding them dropped. */
  held(): ReadonlySet<string>;
  close(): Promise<void>;
}

/** What the outbound dispatcher asks before reading the queue. */
export interface SendLeadership {
  /** The numbers whose jobs this instance may send; null: every number (one process, SQLite). */
  numbers(): readonly string[] | null;
}

/** One process alone on its database sends everything, as before there were several. */
export const EVERY_NUMBER: SendLeadership = { numbers: () => null };

export interface NumberLeadershipDeps {
  readonly locks: NumberLocks;
  /** The numbers the relay serves (its configured one and the teams'): each tick tries to lead those it does not. */
  readonly served: () => Promise<ReadonlySet<string>>;
  /**
   * Runs once each time this instance becomes a number's sender, before it sends any of its jobs: what the previous
   * holder had in flight waits the reconcile grace, exactly as after a crash (the previous holder may have died mid-send).
   */
  readonly takeOver: (phoneNumberId: string) => Promise<void>;
  readonly clock: Clock;
  readonly log: Logger;
  readonly intervalMs: number;
}

export class NumberLeadership implements SendLeadership {
  /** Numbers taken over (their in-flight jobs recovered) and, as far as the last look knew, still held. */
  private readonly ready = new Set<string>();
  private stopped = false;
  private cancel: () => void = () => {};
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly deps: NumberLeadershipDeps) {}

  numbers(): readonly string[] {
    const held = this.deps.locks.held();
    return [...this.ready].filter((n) => held.has(n));
  }

  /** Tries at once, then every `intervalMs`. */
  start(): void {
    const loop = () => {
      this.running = this.tick()
        .catch((error: unknown) => this.deps.log.warn('outbound.leadership_failed', { error: error instanceof Error ? error : String(error) }))
        .finally(() => {
          if (!this.stopped) this.cancel = this.deps.clock.setTimer(this.deps.intervalMs, loop);
        });
    };
    loop();
  }

  /** One look: forget numbers whose lock was lost, try to take the rest. */
  async tick(): Promise<void> {
    const held = this.deps.locks.held();
    for (const n of [...this.ready]) {
      if (held.has(n)) continue;
      this.ready.delete(n);
      this.deps.log.warn('outbound.number_lost', { phoneNumberId: n });
    }
    for (const n of await this.deps.served()) {
      if (this.stopped || this.ready.has(n) || !(await this.deps.locks.tryLock(n))) continue;
      await this.deps.takeOver(n);
      this.ready.add(n);
      this.deps.log.info('outbound.number_taken', { phoneNumberId: n });
    }
  }

  /** Stops trying and releases every lock, so another instance takes the numbers at its next look. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancel();
    await this.running;
    this.ready.clear();
    await this.deps.locks.close();
  }
}
