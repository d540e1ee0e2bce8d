// Failed-authentication arithmetic for one kind of key (source addresses, or agents): free tries, then an exponential
// delay, then a lockout that grows on repeat; pure, with time passed in, and bounded in memory.

export interface ThrottleSettings {
  /** Failures that cost nothing. */
  readonly freeFailures: number;
  /** At this many failures the key is locked out (refused with Retry-After without its credential being checked). */
  readonly lockAfter: number;
  /** The delay of the first attempt past the free ones; each further failure doubles it … */
  readonly baseDelayMs: number;
  /** … up to this. */
  readonly maxDelayMs: number;
  /** The first lockout; each lockout of the same key before its count has decayed to zero doubles it … */
  readonly lockoutMs: number;
  /** … up to this. */
  readonly maxLockoutMs: number;
  /** One failure is forgiven per this much time without failures being added (a leaky bucket). */
  readonly forgiveEveryMs: number;
  /** Attempts admitted but not yet settled count as failures for this long (a crash between admit and outcome). */
  readonly pendingTtlMs: number;
  /** At most this many keys are remembered; the least recently seen is dropped first. */
  readonly maxKeys: number;
}

/**
 * Per source address. A branch's agents share one NAT address, so one typo, a console or two retrying a revoked token
 * or a morning's reconnects must not slow the branch: 10 failures are free, and one is forgiven a minute. A guesser is
 * slowed from the 11th (250 ms doubling to 4 s — a person never notices the first ones) and shut out from the 30th for
 * 5 minutes, doubling on repeat to an hour — long enough to make guessing pointless, short enough that a branch a
 * misconfigured kiosk locked out is back by itself within the hour without calling IT. 256-bit tokens and the bank's
 * own MFA already make guessing hopeless; this keeps the relay's work and its logs bounded and surfaces the attempt.
 */
export const SOURCE_THROTTLE: ThrottleSettings = {
  freeFailures: 10,
  lockAfter: 30,
  baseDelayMs: 250,
  maxDelayMs: 4_000,
  lockoutMs: 5 * 60_000,
  maxLockoutMs: 60 * 60_000,
  forgiveEveryMs: 60_000,
  pendingTtlMs: 30_000,
  maxKeys: 10_000,
};

/**
 * Per agent, counted only for failures that name the agent (an expired or reused session, a revoked agent's token):
 * tighter than a branch's address (5 free, locked at 10), but the lockout is shorter (1 minute doubling to 15) because
 * whoever can make an agent's failures can also lock that agent out of their shift.
 */
export const AGENT_THROTTLE: ThrottleSettings = {
  freeFailures: 5,
  lockAfter: 10,
  baseDelayMs: 250,
  maxDelayMs: 4_000,
  lockoutMs: 60_000,
  maxLockoutMs: 15 * 60_000,
  forgiveEveryMs: 60_000,
  pendingTtlMs: 30_000,
  maxKeys: 10_000,
};

export type ThrottleVerdict =
  { readonly kind: 'go' } | { readonly kind: 'delay'; readonly delayMs: number } | { readonly kind: 'locked'; readonly retryAfterMs: number };

/** What a failure changed, for the log: the key starts being delayed, or is locked out. */
export type ThrottleTransition =
  { readonly kind: 'delayed'; readonly failures: number } | { readonly kind: 'locked'; readonly lockoutMs: number; readonly failures: number } | null;

interface KeyState {
  failures: number;
  /** Since when the next failure is being forgiven (time passed in by the caller: monotonic milliseconds). */
  at: number;
  strikes: number;
  lockedUntil: number;
  pending: number;
  pendingAt: number;
}

export class AuthThrottle {
  private readonly keys = new Map<string, KeyState>();

  constructor(readonly settings: ThrottleSettings) {
    if (!(settings.freeFailures >= 0 && settings.lockAfter > settings.freeFailures && settings.maxKeys >= 1)) {
      throw new RangeError('throttle settings need 0 <= freeFailures < lockAfter and maxKeys >= 1');
    }
  }

  get size(): number {
    return this.keys.size;
  }

  /** What an attempt by `key` faces now, without changing anything. */
  verdict(key: string, now: number): ThrottleVerdict {
    const state = this.current(key, now);
    if (state === null) return { kind: 'go' };
    if (state.lockedUntil > now) return { kind: 'locked', retryAfterMs: state.lockedUntil - now };
    const counted = state.failures + state.pending;
    if (counted < this.settings.freeFailures) return { kind: 'go' };
    const steps = Math.min(30, counted - this.settings.freeFailures);
    return { kind: 'delay', delayMs: Math.min(this.settings.maxDelayMs, this.settings.baseDelayMs * 2 ** steps) };
  }

  /**
   * An attempt let through whose outcome is not known yet: counted as a failure until settled, so a thousand attempts
   * sent at once are delayed like a thousand in a row instead of all passing as the first.
   */
  begin(key: string, now: number): void {
    const state = this.touch(key, now);
    state.pending += 1;
    state.pendingAt = now;
  }

  /** The attempt's credential was refused. */
  fail(key: string, now: number, settled = false): ThrottleTransition {
    const state = this.touch(key, now);
    if (settled) state.pending = Math.max(0, state.pending - 1);
    const before = state.failures;
    state.failures += 1;
    if (state.failures >= this.settings.lockAfter && state.lockedUntil <= now) {
      state.strikes += 1;
      const lockoutMs = Math.min(this.settings.maxLockoutMs, this.settings.lockoutMs * 2 ** Math.min(30, state.strikes - 1));
      state.lockedUntil = now + lockoutMs;
      return { kind: 'locked', lockoutMs, failures: state.failures };
    }
    if (before < this.settings.freeFailures && state.failures >= this.settings.freeFailures) return { kind: 'delayed', failures: state.failures };
    return null;
  }

  /** The attempt's credential was accepted: settles it; `forgive` also clears the key (agents, never addresses). */
  succeed(key: string, now: number, forgive: boolean): void {
    if (forgive) {
      this.keys.delete(key);
      return;
    }
    const state = this.current(key, now);
    if (state !== null) state.pending = Math.max(0, state.pending - 1);
  }

  /** The key's state brought up to `now`, or null (and forgotten) once nothing is left to remember. */
  private current(key: string, now: number): KeyState | null {
    const state = this.keys.get(key);
    if (state === undefined) return null;
    // Whole failures are forgiven, each after a full forgiveEveryMs: counts stay integers that IT can read in the log.
    const forgiven = Math.min(state.failures, Math.floor(Math.max(0, now - state.at) / this.settings.forgiveEveryMs));
    state.failures -= forgiven;
    state.at = state.failures === 0 ? Math.max(state.at, now) : state.at + forgiven * this.settings.forgiveEveryMs;
    if (state.pending > 0 && now - state.pendingAt >= this.settings.pendingTtlMs) state.pending = 0;
    // Strikes are forgotten with the count, but not before the longest lockout has passed again since the last one:
    // a key quiet that long starts again at the first lockout.
    if (state.failures === 0 && state.pending === 0 && state.lockedUntil + (state.strikes > 0 ? this.settings.maxLockoutMs : 0) <= now) {
      this.keys.delete(key);
      return null;
    }
    return state;
  }

  private touch(key: string, now: number): KeyState {
    const state = this.current(key, now) ?? { failures: 0, at: now, strikes: 0, lockedUntil: 0, pending: 0, pendingAt: now };
    // Re-inserted so the map's order is least recently seen first: the one dropped when full.
    this.keys.delete(key);
    this.keys.set(key, state);
    while (this.keys.size > this.settings.maxKeys) this.keys.delete(this.keys.keys().next().value!);
    return state;
  }
}
