// The sign-in throttle's arithmetic: free tries, growing delays, lockouts that grow on repeat, decay, bounded memory.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AGENT_THROTTLE, AuthThrottle, SOURCE_THROTTLE, type ThrottleSettings } from './auth-throttle';

const SMALL: ThrottleSettings = {
  freeFailures: 3,
  lockAfter: 8,
  baseDelayMs: 100,
  maxDelayMs: 800,
  lockoutMs: 10_000,
  maxLockoutMs: 40_000,
  forgiveEveryMs: 1_000,
  pendingTtlMs: 5_000,
  maxKeys: 100,
};

function failTimes(throttle: AuthThrottle, key: string, times: number, now = 0): void {
  for (let i = 0; i < times; i++) throttle.fail(key, now);
}

describe('AuthThrottle', () => {
  it('lets the free failures through undelayed: a branch sharing one address is not slowed by a typo or two', () => {
    const throttle = new AuthThrottle(SMALL);
    failTimes(throttle, '10.0.0.1', 2);
    expect(throttle.verdict('10.0.0.1', 0)).toEqual({ kind: 'go' });
  });

  it('then delays each attempt twice as long as the one before, up to the cap', () => {
    const throttle = new AuthThrottle(SMALL);
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      throttle.fail('10.0.0.1', 0);
      const verdict = throttle.verdict('10.0.0.1', 0);
      delays.push(verdict.kind === 'delay' ? verdict.delayMs : -1);
    }
    expect(delays).toEqual([-1, -1, 100, 200, 400, 800, 800]);
  });

  it('locks the key out once it reaches lockAfter, with the time left as Retry-After', () => {
    const throttle = new AuthThrottle(SMALL);
    failTimes(throttle, '10.0.0.1', 7);
    expect(throttle.fail('10.0.0.1', 0)).toEqual({ kind: 'locked', lockoutMs: 10_000, failures: 8 });
    expect(throttle.verdict('10.0.0.1', 2_500)).toEqual({ kind: 'locked', retryAfterMs: 7_500 });
  });

  it('reports the moment a key starts being delayed, once', () => {
    const throttle = new AuthThrottle(SMALL);
    const transitions = Array.from({ length: 5 }, () => throttle.fail('10.0.0.1', 0));
    expect(transitions).toEqual([null, null, { kind: 'delayed', failures: 3 }, null, null]);
  });

  it('doubles the lockout each time the key is locked again before it has been forgiven, up to the cap', () => {
    const throttle = new AuthThrottle(SMALL);
    const lockouts: number[] = [];
    let now = 0;
    for (let round = 0; round < 4; round++) {
      let transition = throttle.fail('10.0.0.1', now);
      while (transition?.kind !== 'locked') transition = throttle.fail('10.0.0.1', now);
      lockouts.push(transition.lockoutMs);
      now += transition.lockoutMs;
      expect(throttle.verdict('10.0.0.1', now).kind).not.toBe('locked');
    }
    expect(lockouts).toEqual([10_000, 20_000, 40_000, 40_000]);
  });

  it('forgives one failure per forgiveEveryMs, and forgets the key (and its lockouts) once quiet long enough', () => {
    const throttle = new AuthThrottle(SMALL);
    failTimes(throttle, '10.0.0.1', 5);
    expect(throttle.verdict('10.0.0.1', 0)).toEqual({ kind: 'delay', delayMs: 400 });
    expect(throttle.verdict('10.0.0.1', 2_000)).toEqual({ kind: 'delay', delayMs: 100 });
    expect(throttle.verdict('10.0.0.1', 3_000)).toEqual({ kind: 'go' });
    expect(throttle.verdict('10.0.0.1', 5_000)).toEqual({ kind: 'go' });
    expect(throttle.size).toBe(0);

    failTimes(throttle, '10.0.0.2', 8, 0);
    // Well past the lockout and the decay, and the longest lockout again: a new lockout is the first one again.
    const later = 10_000 + 8_000 + SMALL.maxLockoutMs;
    failTimes(throttle, '10.0.0.2', 7, later);
    expect(throttle.fail('10.0.0.2', later)).toEqual({ kind: 'locked', lockoutMs: 10_000, failures: 8 });
  });

  it('counts attempts still in flight, so a burst sent at once is delayed like the same burst in a row', () => {
    const throttle = new AuthThrottle(SMALL);
    const verdicts = Array.from({ length: 6 }, () => {
      const verdict = throttle.verdict('10.0.0.1', 0);
      throttle.begin('10.0.0.1', 0);
      return verdict.kind === 'delay' ? verdict.delayMs : 0;
    });
    expect(verdicts).toEqual([0, 0, 0, 100, 200, 400]);
    // Settled as failures, they stay; as successes (a NAT's agents reconnecting together), they go.
    for (let i = 0; i < 6; i++) throttle.succeed('10.0.0.1', 0, false);
    expect(throttle.verdict('10.0.0.1', 0)).toEqual({ kind: 'go' });
  });

  it('stops counting an attempt that never settled after pendingTtlMs', () => {
    const throttle = new AuthThrottle(SMALL);
    for (let i = 0; i < 5; i++) throttle.begin('10.0.0.1', 0);
    expect(throttle.verdict('10.0.0.1', 4_999).kind).toBe('delay');
    expect(throttle.verdict('10.0.0.1', 5_000)).toEqual({ kind: 'go' });
  });

  it('keeps a source count through a success when not forgiven, and clears it when forgiven', () => {
    const throttle = new AuthThrottle(SMALL);
    failTimes(throttle, 'source', 5);
    failTimes(throttle, 'agent', 5);
    throttle.succeed('source', 0, false);
    throttle.succeed('agent', 0, true);
    expect(throttle.verdict('source', 0).kind).toBe('delay');
    expect(throttle.verdict('agent', 0)).toEqual({ kind: 'go' });
  });

  it('keys are independent: one address locked out does not slow another', () => {
    const throttle = new AuthThrottle(SMALL);
    failTimes(throttle, '10.0.0.1', 50);
    expect(throttle.verdict('10.0.0.1', 0).kind).toBe('locked');
    expect(throttle.verdict('10.0.0.2', 0)).toEqual({ kind: 'go' });
  });

  it('remembers at most maxKeys keys, dropping the least recently seen', () => {
    const throttle = new AuthThrottle({ ...SMALL, maxKeys: 3 });
    failTimes(throttle, 'a', 5);
    failTimes(throttle, 'b', 5);
    failTimes(throttle, 'c', 5);
    throttle.fail('a', 0); // seen again: now the newest
    failTimes(throttle, 'd', 5);
    expect(throttle.size).toBe(3);
    expect(throttle.verdict('b', 0)).toEqual({ kind: 'go' });
    expect(throttle.verdict('a', 0).kind).toBe('delay');
  });

  it('refuses settings that could never lock or never remember', () => {
    expect(() => new AuthThrottle({ ...SMALL, lockAfter: 3 })).toThrow(RangeError);
    expect(() => new AuthThrottle({ ...SMALL, maxKeys: 0 })).toThrow(RangeError);
  });

  it('ships defaults where a branch NAT gets more room than one agent, and the lockouts are bounded', () => {
    expect(SOURCE_THROTTLE.freeFailures).toBeGreaterThan(AGENT_THROTTLE.freeFailures);
    for (const settings of [SOURCE_THROTTLE, AGENT_THROTTLE]) {
      expect(settings.maxDelayMs).toBeLessThanOrEqual(5_000);
      expect(settings.maxLockoutMs).toBeLessThanOrEqual(60 * 60_000);
    }
  });

  it('property: whatever the sequence, delays never exceed the cap, a lockout never exceeds its cap, memory stays bounded', () => {
    const op = fc.record({
      key: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
      kind: fc.constantFrom('fail', 'begin', 'succeed', 'forgive'),
      advanceMs: fc.integer({ min: 0, max: 20_000 }),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const throttle = new AuthThrottle({ ...SMALL, maxKeys: 4 });
        let now = 0;
        for (const { key, kind, advanceMs } of ops) {
          now += advanceMs;
          if (kind === 'fail') {
            const transition = throttle.fail(key, now);
            if (transition?.kind === 'locked') expect(transition.lockoutMs).toBeLessThanOrEqual(SMALL.maxLockoutMs);
          } else if (kind === 'begin') throttle.begin(key, now);
          else throttle.succeed(key, now, kind === 'forgive');
          const verdict = throttle.verdict(key, now);
          if (verdict.kind === 'delay') expect(verdict.delayMs).toBeLessThanOrEqual(SMALL.maxDelayMs);
          if (verdict.kind === 'locked') expect(verdict.retryAfterMs).toBeLessThanOrEqual(SMALL.maxLockoutMs);
          expect(throttle.size).toBeLessThanOrEqual(4);
        }
      }),
    );
  });

  it('property: n failures in a row with no time passing lock the key exactly when n reaches lockAfter', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), (n) => {
        const throttle = new AuthThrottle(SMALL);
        failTimes(throttle, 'k', n);
        expect(throttle.verdict('k', 0).kind === 'locked').toBe(n >= SMALL.lockAfter);
      }),
    );
  });
});
