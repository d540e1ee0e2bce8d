// Reconnect delays: exponential growth, full jitter, a cap, and a reset once a link has proved stable.

export interface BackoffPolicy {
  /** Ceiling of the first retry's delay. */
  readonly baseMs: number;
  /** No delay ever exceeds this. */
  readonly capMs: number;
  /** A link that stayed up this long counts as healthy: the next failure starts again from the base. */
  readonly resetAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 30_000, resetAfterMs: 60_000 };

export interface BackoffState {
  /** Retries made since the link was last healthy. */
  readonly attempt: number;
  /** Monotonic time the current link went live, or null while down. */
  readonly liveSinceMs: number | null;
}

export const INITIAL_BACKOFF: BackoffState = { attempt: 0, liveSinceMs: null };

export function assertValidPolicy(policy: BackoffPolicy): void {
  const { baseMs, capMs, resetAfterMs } = policy;
  if (!(baseMs > 0) || !(capMs >= baseMs) || !(resetAfterMs >= 0) || !Number.isFinite(capMs)) {
    throw new RangeError(`invalid backoff policy: base ${baseMs} ms, cap ${capMs} ms, reset after ${resetAfterMs} ms`);
  }
}

/** The largest delay attempt `n` may wait: base * 2^n, never above the cap (and never Infinity). */
export function backoffCeilingMs(attempt: number, policy: BackoffPolicy): number {
  if (!Number.isInteger(attempt) || attempt < 0) throw new RangeError(`attempt must be a whole number >= 0, got ${attempt}`);
  // 2^attempt overflows to Infinity for large attempts; min() with the cap keeps it finite.
  return Math.min(policy.capMs, policy.baseMs * 2 ** attempt);
}

/**
 * "Full jitter": a uniform delay in [0, ceiling). Spreads a branch's worth of consoles that lost
 * the relay at the same instant, so they do not all return in the same second.
 * `random01` is a sample in [0, 1); inject it so tests can pin the result.
 */
export function fullJitterDelayMs(attempt: number, policy: BackoffPolicy, random01: number): number {
  if (!(random01 >= 0 && random01 < 1)) throw new RangeError(`random sample must be in [0, 1), got ${random01}`);
  return Math.floor(random01 * backoffCeilingMs(attempt, policy));
}

/** The link came up. */
export function backoffOnLive(state: BackoffState, nowMs: number): BackoffState {
  return { attempt: state.attempt, liveSinceMs: nowMs };
}

/** The link went down (or an attempt failed). A link that had been stable long enough resets the count. */
export function backoffOnDown(state: BackoffState, nowMs: number, policy: BackoffPolicy): BackoffState {
  const wasStable = state.liveSinceMs !== null && nowMs - state.liveSinceMs >= policy.resetAfterMs;
  return { attempt: wasStable ? 0 : state.attempt, liveSinceMs: null };
}

/** Picks the wait before the next attempt and advances the count. */
export function nextBackoff(state: BackoffState, policy: BackoffPolicy, random01: number): { readonly delayMs: number; readonly state: BackoffState } {
  return {
    delayMs: fullJitterDelayMs(state.attempt, policy, random01),
    state: { attempt: state.attempt + 1, liveSinceMs: null },
  };
}
