// One token bucket for every rate limit (Meta's send rates, a device's requests): pure, on an injected Clock.
import type { Clock } from './clock';

/**
 * Slack for float rounding, in milliseconds: a refill of 1/6000 token per ms must not make a token
 * that is due now look one millisecond late.
 */
const TOLERANCE_MS = 1e-3;

export interface TokenBucketOptions {
  /** Tokens a full bucket holds: the burst allowed after a quiet spell. At least 1. */
  readonly capacity: number;
  /** Tokens added per millisecond of monotonic time. */
  readonly refillPerMs: number;
  readonly clock: Clock;
}

/**
 * A token bucket kept as the time it will next be full ("generic cell rate"): one number, no
 * refill loop, and times that stay exact for whole-millisecond intervals. It starts full.
 */
export class TokenBucket {
  readonly #intervalMs: number;
  readonly #burstMs: number;
  readonly #clock: Clock;
  /** Monotonic time at which the bucket is full again; at or before now means full. */
  #fullAtMs: number;

  constructor(options: TokenBucketOptions) {
    const { capacity, refillPerMs, clock } = options;
    if (!(capacity >= 1) || !Number.isFinite(capacity)) throw new RangeError(`capacity must be at least 1, got ${capacity}`);
    if (!(refillPerMs > 0) || !Number.isFinite(refillPerMs)) throw new RangeError(`refillPerMs must be positive, got ${refillPerMs}`);
    this.#intervalMs = 1 / refillPerMs;
    this.#burstMs = capacity * this.#intervalMs;
    this.#clock = clock;
    this.#fullAtMs = clock.monotonicNow();
  }

  /** 0 if a token was taken; otherwise milliseconds until one will be available (nothing taken). */
  take(): number {
    const now = this.#clock.monotonicNow();
    const wait = this.#waitAt(now);
    if (wait === 0) this.#fullAtMs = Math.max(this.#fullAtMs, now) + this.#intervalMs;
    return wait;
  }

  /** Takes a token if one is there; for callers that refuse rather than wait. */
  tryTake(): boolean {
    return this.take() === 0;
  }

  /** Like take() but consumes nothing: lets a caller check several buckets before taking from any. */
  waitMs(): number {
    return this.#waitAt(this.#clock.monotonicNow());
  }

  /** A full bucket is indistinguishable from a new one, so its owner can be forgotten. */
  isFull(): boolean {
    return this.#fullAtMs <= this.#clock.monotonicNow() + TOLERANCE_MS;
  }

  #waitAt(now: number): number {
    const excess = Math.max(this.#fullAtMs, now) + this.#intervalMs - now - this.#burstMs;
    return excess <= TOLERANCE_MS ? 0 : Math.max(1, Math.ceil(excess - TOLERANCE_MS));
  }
}
