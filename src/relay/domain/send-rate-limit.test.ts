// Table and property tests of the send rate limits on a fake clock: bursts, refill, atomicity, bounded memory.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../../shared/clock';
import { createSendRateLimiter } from './send-rate-limit';

describe('createSendRateLimiter', () => {
  it('lets a customer have a burst of pairBurst, then one message per pairIntervalMs', () => {
    const clock = createFakeClock(0, 0);
    const limiter = createSendRateLimiter({ clock });
    for (let i = 0; i < 10; i++) expect(limiter.reserve('972541234567')).toEqual({ ok: true });
    expect(limiter.reserve('972541234567')).toEqual({ ok: false, waitMs: 6_000 });
    clock.advance(5_999);
    expect(limiter.reserve('972541234567')).toEqual({ ok: false, waitMs: 1 });
    clock.advance(1);
    expect(limiter.reserve('972541234567')).toEqual({ ok: true });
    expect(limiter.reserve('972541234567')).toEqual({ ok: false, waitMs: 6_000 });
  });

  it('caps the number at perSecond across customers, each customer independent', () => {
    const clock = createFakeClock(0, 0);
    const limiter = createSendRateLimiter({ clock, perSecond: 80 });
    for (let i = 0; i < 80; i++) expect(limiter.reserve(`97250000${String(i).padStart(4, '0')}`)).toEqual({ ok: true });
    // A fresh customer still waits for the number: 1000 / 80 = 12.5 ms, rounded up.
    expect(limiter.reserve('972599999999')).toEqual({ ok: false, waitMs: 13 });
    clock.advance(13);
    expect(limiter.reserve('972599999999')).toEqual({ ok: true });
  });

  it('keeps customers independent: one customer out of tokens does not slow another', () => {
    const clock = createFakeClock(0, 0);
    const limiter = createSendRateLimiter({ clock, pairBurst: 2 });
    expect(limiter.reserve('111111111')).toEqual({ ok: true });
    expect(limiter.reserve('111111111')).toEqual({ ok: true });
    expect(limiter.reserve('111111111')).toEqual({ ok: false, waitMs: 6_000 });
    expect(limiter.reserve('222222222')).toEqual({ ok: true });
    expect(limiter.reserve('222222222')).toEqual({ ok: true });
  });

  it('is atomic: a refusal for the customer does not spend the number’s token, and vice versa', () => {
    const clock = createFakeClock(0, 0);
    const limiter = createSendRateLimiter({ clock, perSecond: 2, pairBurst: 1, pairIntervalMs: 10_000 });
    expect(limiter.reserve('111111111')).toEqual({ ok: true }); // number 1 left, customer A empty
    // A is refused by its own bucket; the number's last token must survive it, many times over.
    for (let i = 0; i < 5; i++) expect(limiter.reserve('111111111')).toEqual({ ok: false, waitMs: 10_000 });
    expect(limiter.reserve('222222222')).toEqual({ ok: true }); // number now empty
    // C is refused by the number; C's own burst must not be spent by the refusal.
    expect(limiter.reserve('333333333')).toEqual({ ok: false, waitMs: 500 });
    clock.advance(500);
    expect(limiter.reserve('333333333')).toEqual({ ok: true });
  });

  it('returns the longer of the two waits when both buckets are empty', () => {
    const clock = createFakeClock(0, 0);
    const limiter = createSendRateLimiter({ clock, perSecond: 1, pairBurst: 1, pairIntervalMs: 300 });
    expect(limiter.reserve('111111111')).toEqual({ ok: true });
    expect(limiter.reserve('111111111')).toEqual({ ok: false, waitMs: 1_000 });
    const other = createSendRateLimiter({ clock, perSecond: 10, pairBurst: 1, pairIntervalMs: 3_000 });
    expect(other.reserve('111111111')).toEqual({ ok: true });
    expect(other.reserve('111111111')).toEqual({ ok: false, waitMs: 3_000 });
  });

  it('forgets customers whose bucket is full again', () => {
    const clock = createFakeClock(0, 0);
    const limiter = createSendRateLimiter({ clock, pairBurst: 2, pairIntervalMs: 1_000 });
    limiter.reserve('111111111');
    limiter.reserve('222222222');
    limiter.reserve('222222222');
    expect(limiter.trackedCustomers()).toBe(2);
    clock.advance(1_000); // A full again, B one short
    limiter.reserve('333333333');
    expect(limiter.trackedCustomers()).toBe(2); // A swept, B kept, C added
    clock.advance(2_000);
    limiter.reserve('333333333');
    expect(limiter.trackedCustomers()).toBe(1);
    // B, forgotten once full, starts again with a full burst.
    expect(limiter.reserve('222222222')).toEqual({ ok: true });
    expect(limiter.reserve('222222222')).toEqual({ ok: true });
  });

  it('never tracks more than maxTrackedCustomers, evicting the least recently used', () => {
    const clock = createFakeClock(0, 0);
    const limiter = createSendRateLimiter({ clock, perSecond: 1_000, pairBurst: 1, pairIntervalMs: 60_000, maxTrackedCustomers: 3 });
    for (const to of ['111111111', '222222222', '333333333']) expect(limiter.reserve(to)).toEqual({ ok: true });
    expect(limiter.reserve('111111111')).toEqual({ ok: false, waitMs: 60_000 });
    clock.advance(10);
    expect(limiter.reserve('444444444')).toEqual({ ok: true });
    expect(limiter.trackedCustomers()).toBe(3);
    // The oldest (111…) was evicted, so it is no longer held back; 222… still is.
    expect(limiter.reserve('222222222')).toEqual({ ok: false, waitMs: 60_000 - 10 });
    expect(limiter.reserve('111111111')).toEqual({ ok: true });
    expect(limiter.trackedCustomers()).toBe(3);
  });

  it('stays within the cap under a stream of distinct customers (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.array(fc.tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 400 }))), (max, sends) => {
        const clock = createFakeClock(0, 0);
        const limiter = createSendRateLimiter({ clock, perSecond: 1_000, pairBurst: 2, pairIntervalMs: 500, maxTrackedCustomers: max });
        for (const [customer, step] of sends) {
          clock.advance(step);
          limiter.reserve(String(100_000_000 + customer));
          expect(limiter.trackedCustomers()).toBeLessThanOrEqual(max);
        }
      }),
    );
  });

  it.each([{ pairIntervalMs: 0 }, { maxTrackedCustomers: 0 }, { maxTrackedCustomers: 1.5 }, { pairBurst: 0 }, { perSecond: 0 }])('refuses %o', (options) => {
    expect(() => createSendRateLimiter({ clock: createFakeClock(), ...options })).toThrow(RangeError);
  });
});
