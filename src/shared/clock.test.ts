import { describe, expect, it } from 'vitest';
import { createFakeClock, systemClock } from './clock';

describe('fake clock', () => {
  it('fires timers in due order as time advances', () => {
    const clock = createFakeClock(0, 0);
    const fired: string[] = [];
    clock.setTimer(300, () => fired.push('c'));
    clock.setTimer(100, () => fired.push('a'));
    clock.setTimer(200, () => fired.push('b'));
    clock.advance(150);
    expect(fired).toEqual(['a']);
    clock.advance(1_000);
    expect(fired).toEqual(['a', 'b', 'c']);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('shows each timer the time it was due, and fires timers set by timers', () => {
    const clock = createFakeClock(0, 0);
    const seen: number[] = [];
    clock.setTimer(100, () => {
      seen.push(clock.monotonicNow());
      clock.setTimer(50, () => seen.push(clock.monotonicNow()));
    });
    clock.advance(1_000);
    expect(seen).toEqual([100, 150]);
    expect(clock.monotonicNow()).toBe(1_000);
  });

  it('does not fire a cancelled timer', () => {
    const clock = createFakeClock();
    let fired = false;
    const cancel = clock.setTimer(10, () => {
      fired = true;
    });
    cancel();
    clock.advance(100);
    expect(fired).toBe(false);
  });

  it('lets wall time jump without moving monotonic time or firing timers', () => {
    const clock = createFakeClock(1_000_000, 0);
    let fired = false;
    clock.setTimer(10, () => {
      fired = true;
    });
    clock.jumpWall(-3_600_000);
    expect(clock.wallNow()).toBe(1_000_000 - 3_600_000);
    expect(clock.monotonicNow()).toBe(0);
    expect(fired).toBe(false);
  });

  it('refuses to go backwards', () => {
    expect(() => createFakeClock().advance(-1)).toThrow(RangeError);
  });
});

describe('system clock', () => {
  it('has a monotonic reading that never decreases', () => {
    let last = systemClock.monotonicNow();
    for (let i = 0; i < 10_000; i++) {
      const now = systemClock.monotonicNow();
      expect(now).toBeGreaterThanOrEqual(last);
      last = now;
    }
  });

  it('runs and cancels real timers', async () => {
    const order: string[] = [];
    const cancel = systemClock.setTimer(1, () => order.push('cancelled'));
    cancel();
    await new Promise<void>((resolve) => systemClock.setTimer(5, () => resolve()));
    expect(order).toEqual([]);
  });
});
