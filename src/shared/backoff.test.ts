import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BACKOFF,
  INITIAL_BACKOFF,
  assertValidPolicy,
  backoffCeilingMs,
  backoffOnDown,
  backoffOnLive,
  fullJitterDelayMs,
  nextBackoff,
  type BackoffPolicy,
} from './backoff';

const policy: BackoffPolicy = { baseMs: 1_000, capMs: 30_000, resetAfterMs: 60_000 };

describe('backoff ceiling', () => {
  it.each([
    [0, 1_000],
    [1, 2_000],
    [2, 4_000],
    [3, 8_000],
    [4, 16_000],
    [5, 30_000], // 32 s would exceed the cap
    [6, 30_000],
    [60, 30_000],
    [5_000, 30_000], // 2^5000 is Infinity in floating point; the cap still holds
  ])('attempt %i may wait at most %i ms', (attempt, ceiling) => {
    expect(backoffCeilingMs(attempt, policy)).toBe(ceiling);
  });

  it.each([-1, 1.5, Number.NaN])('refuses attempt %s', (attempt) => {
    expect(() => backoffCeilingMs(attempt, policy)).toThrow(RangeError);
  });
});

describe('full jitter', () => {
  it.each([
    // attempt, random sample, expected delay
    [0, 0, 0],
    [0, 0.5, 500],
    [0, 0.999, 999],
    [3, 0.25, 2_000],
    [3, 0.75, 6_000],
    [10, 0.5, 15_000],
    [10, 0.9999, 29_997],
  ])('attempt %i with sample %f waits %i ms', (attempt, sample, delay) => {
    expect(fullJitterDelayMs(attempt, policy, sample)).toBe(delay);
  });

  it.each([1, -0.1, 1.5, Number.NaN])('refuses a sample of %s outside [0, 1)', (sample) => {
    expect(() => fullJitterDelayMs(0, policy, sample)).toThrow(RangeError);
  });

  it('never exceeds the cap however many attempts fail', () => {
    let state = INITIAL_BACKOFF;
    for (let i = 0; i < 200; i++) {
      const step = nextBackoff(state, policy, 0.999_999);
      expect(step.delayMs).toBeLessThan(policy.capMs);
      state = step.state;
    }
    expect(state.attempt).toBe(200);
  });
});

describe('reset after a stable link', () => {
  const failTimes = (n: number) => {
    let state = INITIAL_BACKOFF;
    for (let i = 0; i < n; i++) state = nextBackoff(state, policy, 0).state;
    return state;
  };

  it.each([
    // how long the link stayed live, the attempt count afterwards
    [0, 5],
    [59_999, 5],
    [60_000, 0],
    [3_600_000, 0],
  ])('a link live for %i ms after 5 failures leaves the count at %i', (liveFor, expected) => {
    const live = backoffOnLive(failTimes(5), 1_000);
    const down = backoffOnDown(live, 1_000 + liveFor, policy);
    expect(down.attempt).toBe(expected);
    expect(down.liveSinceMs).toBeNull();
  });

  it('a flapping link keeps growing its delay instead of hammering the relay', () => {
    let state = INITIAL_BACKOFF;
    let now = 0;
    const ceilings: number[] = [];
    for (let i = 0; i < 6; i++) {
      ceilings.push(backoffCeilingMs(state.attempt, policy));
      state = nextBackoff(state, policy, 0.5).state;
      state = backoffOnLive(state, now);
      now += 2_000; // up for 2 s, then drops again
      state = backoffOnDown(state, now, policy);
    }
    expect(ceilings).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000]);
  });

  it('a failure while never live does not reset', () => {
    const state = backoffOnDown(failTimes(3), 10 * 60_000, policy);
    expect(state.attempt).toBe(3);
  });
});

describe('policy validation', () => {
  it('accepts the default policy', () => {
    expect(() => assertValidPolicy(DEFAULT_BACKOFF)).not.toThrow();
  });

  it.each([
    { baseMs: 0, capMs: 1_000, resetAfterMs: 0 },
    { baseMs: 1_000, capMs: 500, resetAfterMs: 0 },
    { baseMs: 1_000, capMs: Number.POSITIVE_INFINITY, resetAfterMs: 0 },
    { baseMs: 1_000, capMs: 2_000, resetAfterMs: -1 },
  ])('refuses %o', (bad) => {
    expect(() => assertValidPolicy(bad)).toThrow(RangeError);
  });
});
