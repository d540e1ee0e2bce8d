// Send throughput limits: Meta's per-number rate and per-customer pair rate, kept below their error codes.
import type { Clock } from '../../shared/clock';
import { TokenBucket } from '../../shared/token-bucket';

export interface SendRateLimiterOptions {
  /** Meta's default throughput per business phone number (130429 beyond it). */
  readonly perSecond?: number;
  /** Messages one customer may receive back to back before the pair rate applies (131056 beyond it). */
  readonly pairBurst?: number;
  /** Steady rate to one customer: one message per this many milliseconds. */
  readonly pairIntervalMs?: number;
  readonly clock: Clock;
  readonly maxTrackedCustomers?: number;
}

export interface SendRateLimiter {
  /** Takes a slot for one send to `to`, or says how long to wait; a refusal consumes nothing. */
  reserve(to: string): { ok: true } | { ok: false; waitMs: number };
  /** Customers currently remembered (for tests and metrics). */
  trackedCustomers(): number;
}

export function createSendRateLimiter(options: SendRateLimiterOptions): SendRateLimiter {
  const { clock } = options;
  const perSecond = options.perSecond ?? 80;
  const pairBurst = options.pairBurst ?? 10;
  const pairIntervalMs = options.pairIntervalMs ?? 6_000;
  const maxTracked = options.maxTrackedCustomers ?? 100_000;
  if (!(pairIntervalMs > 0) || !Number.isFinite(pairIntervalMs)) throw new RangeError(`pairIntervalMs must be positive, got ${pairIntervalMs}`);
  if (!Number.isInteger(maxTracked) || maxTracked < 1) throw new RangeError(`maxTrackedCustomers must be a whole number >= 1, got ${maxTracked}`);

  const numberBucket = new TokenBucket({ capacity: perSecond, refillPerMs: perSecond / 1_000, clock });
  const newCustomerBucket = (): TokenBucket => new TokenBucket({ capacity: pairBurst, refillPerMs: 1 / pairIntervalMs, clock });
  newCustomerBucket(); // validates pairBurst now rather than at the first send
  /** Kept in least-recently-used order (re-inserted on each send), so the first key is the one to evict. */
  const customers = new Map<string, TokenBucket>();
  let lastSweepMs = clock.monotonicNow();

  const sweep = (): void => {
    for (const [to, bucket] of customers) if (bucket.isFull()) customers.delete(to);
  };

  return {
    reserve(to) {
      const now = clock.monotonicNow();
      // A whole pass at most once per pair interval: O(n) then, O(1) per send otherwise.
      if (now - lastSweepMs >= pairIntervalMs) {
        sweep();
        lastSweepMs = now;
      }
      const known = customers.get(to);
      // A customer we do not remember has a full bucket: only the number can make them wait.
      const waitMs = Math.max(numberBucket.waitMs(), known?.waitMs() ?? 0);
      if (waitMs > 0) return { ok: false, waitMs };

      numberBucket.take();
      let bucket = known;
      if (bucket === undefined) {
        bucket = newCustomerBucket();
        // Over the cap, the least recently used customer goes: the one nearest to full again,
        // so forgetting them early costs at most a little of their remaining wait.
        if (customers.size >= maxTracked) {
          const oldest = customers.keys().next();
          if (oldest.done !== true) customers.delete(oldest.value);
        }
      } else {
        customers.delete(to);
      }
      bucket.take();
      customers.set(to, bucket);
      return { ok: true };
    },
    trackedCustomers: () => customers.size,
  };
}
