// Table and property tests of the token bucket on a fake clock: bursts, refill, exact steady rate, refusals.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFakeClock } from './clock';
import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it.each([
    // capacity, refillPerMs, takes at t=0 that succeed, wait after the burst
    { capacity: 10, refillPerMs: 1 / 6_000, burst: 10, wait: 6_000 },
    { capacity: 80, refillPerMs: 80 / 1_000, burst: 80, wait: 13 }, // 12.5 ms, rounded up
    { capacity: 1, refillPerMs: 1 / 1_000, burst: 1, wait: 1_000 },
    { capacity: 3, refillPerMs: 3 / 7, burst: 3, wait: 3 }, // 2.33 ms, rounded up
  ])('capacity $capacity: a burst of $burst, then a wait of $wait ms', ({ capacity, refillPerMs, burst, wait }) => {
    const clock = createFakeClock(0, 0);
    const bucket = new TokenBucket({ capacity, refillPerMs, clock });
    for (let i = 0; i < burst; i++) expect(bucket.take()).toBe(0);
    expect(bucket.take()).toBe(wait);
    // Asking again does not consume or lengthen anything.
    expect(bucket.take()).toBe(wait);
    clock.advance(wait - 1);
    expect(bucket.take()).toBeGreaterThan(0);
    clock.advance(1);
    expect(bucket.take()).toBe(0);
  });

  it('refills one token per interval, up to capacity and no further', () => {
    const clock = createFakeClock(0, 0);
    const bucket = new TokenBucket({ capacity: 3, refillPerMs: 1 / 100, clock });
    for (let i = 0; i < 3; i++) expect(bucket.take()).toBe(0);
    expect(bucket.isFull()).toBe(false);
    clock.advance(250); // 2.5 tokens back
    expect(bucket.take()).toBe(0);
    expect(bucket.take()).toBe(0);
    expect(bucket.take()).toBe(50);
    clock.advance(10_000); // far more than capacity's worth
    expect(bucket.isFull()).toBe(true);
    for (let i = 0; i < 3; i++) expect(bucket.take()).toBe(0);
    expect(bucket.take()).toBe(100);
  });

  it('keeps the steady rate exact over many intervals (no float drift)', () => {
    const clock = createFakeClock(0, 0);
    const bucket = new TokenBucket({ capacity: 10, refillPerMs: 1 / 6_000, clock });
    for (let i = 0; i < 10; i++) bucket.take();
    for (let i = 0; i < 10_000; i++) {
      const wait = bucket.take();
      expect(wait).toBe(6_000);
      clock.advance(wait);
      expect(bucket.take()).toBe(0);
    }
  });

  it('waitMs peeks without taking', () => {
    const clock = createFakeClock(0, 0);
    const bucket = new TokenBucket({ capacity: 1, refillPerMs: 1 / 10, clock });
    expect(bucket.waitMs()).toBe(0);
    expect(bucket.waitMs()).toBe(0);
    expect(bucket.take()).toBe(0);
    expect(bucket.waitMs()).toBe(10);
  });

  it('never grants more than capacity + elapsed × rate (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 500 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 200 }),
        (capacity, intervalMs, steps) => {
          const clock = createFakeClock(0, 0);
          const bucket = new TokenBucket({ capacity, refillPerMs: 1 / intervalMs, clock });
          let granted = 0;
          for (const step of steps) {
            clock.advance(step);
            const wait = bucket.take();
            if (wait === 0) granted++;
            else {
              expect(wait).toBeGreaterThanOrEqual(1);
              expect(wait).toBeLessThanOrEqual(intervalMs);
            }
            expect(granted).toBeLessThanOrEqual(capacity + Math.floor(clock.monotonicNow() / intervalMs));
          }
        },
      ),
    );
  });

  it.each([
    { capacity: 0, refillPerMs: 1 },
    { capacity: 1, refillPerMs: 0 },
    { capacity: Number.NaN, refillPerMs: 1 },
    { capacity: 1, refillPerMs: Number.POSITIVE_INFINITY },
  ])('refuses capacity $capacity, refill $refillPerMs', (options) => {
    expect(() => new TokenBucket({ ...options, clock: createFakeClock() })).toThrow(RangeError);
  });
});

describe('TokenBucket.tryTake', () => {
  it('says whether a token was taken, like take() === 0', () => {
    const clock = createFakeClock(0, 0);
    const bucket = new TokenBucket({ capacity: 2, refillPerMs: 1 / 50, clock });
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, false]);
    clock.advance(49);
    expect(bucket.tryTake()).toBe(false);
    clock.advance(1);
    expect(bucket.tryTake()).toBe(true);
  });
});
