// Time as an injected dependency: wall time for records, monotonic time for timeouts, and timers.

/**
 * Code that waits, times out or stamps records takes a Clock instead of reading globals,
 * so tests can move time (including wall-clock jumps) without sleeping.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. May jump (NTP, the agent changing the date): use for records only. */
  wallNow(): number;
  /** Milliseconds from an arbitrary origin; never goes backwards. Use for durations, timeouts and backoff. */
  monotonicNow(): number;
  /** Runs `callback` once after `delayMs` of monotonic time; returns a function that cancels it. */
  setTimer(delayMs: number, callback: () => void): () => void;
}

export const systemClock: Clock = {
  wallNow: () => Date.now(),
  monotonicNow: () => performance.now(),
  setTimer(delayMs, callback) {
    const handle = setTimeout(callback, Math.max(0, delayMs));
    return () => clearTimeout(handle);
  },
};

export interface FakeClock extends Clock {
  /** Moves both clocks forward, firing due timers in order (a timer set by a firing timer fires too if due). */
  advance(ms: number): void;
  /** Makes wall time jump (forwards or backwards) without moving monotonic time or firing timers. */
  jumpWall(ms: number): void;
  /** Timers not yet fired or cancelled. */
  pendingTimers(): number;
}

interface PendingTimer {
  readonly id: number;
  readonly dueMs: number;
  readonly callback: () => void;
}

export function createFakeClock(startWallMs = Date.UTC(2026, 0, 1), startMonotonicMs = 0): FakeClock {
  let wall = startWallMs;
  let mono = startMonotonicMs;
  let nextId = 0;
  let timers: PendingTimer[] = [];

  const popDue = (limitMs: number): PendingTimer | undefined => {
    let best: PendingTimer | undefined;
    for (const t of timers) {
      if (t.dueMs <= limitMs && (best === undefined || t.dueMs < best.dueMs || (t.dueMs === best.dueMs && t.id < best.id))) best = t;
    }
    if (best !== undefined) timers = timers.filter((t) => t !== best);
    return best;
  };

  return {
    wallNow: () => wall,
    monotonicNow: () => mono,
    setTimer(delayMs, callback) {
      const timer: PendingTimer = { id: nextId++, dueMs: mono + Math.max(0, delayMs), callback };
      timers.push(timer);
      return () => {
        timers = timers.filter((t) => t !== timer);
      };
    },
    advance(ms) {
      if (!(ms >= 0)) throw new RangeError(`a fake clock only moves forward; got ${ms} ms`);
      const target = mono + ms;
      for (let due = popDue(target); due !== undefined; due = popDue(target)) {
        wall += due.dueMs - mono;
        mono = due.dueMs;
        due.callback();
      }
      wall += target - mono;
      mono = target;
    },
    jumpWall(ms) {
      wall += ms;
    },
    pendingTimers: () => timers.length,
  };
}
