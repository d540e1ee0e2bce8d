// A device's request budget: its own token bucket and its agent's, shared by all the agent's devices on this process.
import type { Clock } from '../shared/clock';
import { appError, type AppError } from '../shared/errors';
import { TokenBucket } from '../shared/token-bucket';

/** How many refused requests (less one per request let through) mean a client is flooding rather than bursting. */
const FLOOD_CLOSE_AFTER = 200;

export type Admission = { readonly ok: true } | { readonly ok: false; readonly error: AppError; readonly flooding: boolean };

export class RequestBudget {
  private readonly device: TokenBucket;
  /** Refused requests, less one for each let through: it only grows while a device keeps asking faster than allowed. */
  private floodScore = 0;

  constructor(
    settings: { readonly requestsPerSecond: number; readonly requestBurst: number },
    clock: Clock,
    /** The agent's bucket across their devices; null where the relay sets no per-agent limit (in-memory test relays). */
    private readonly agent: TokenBucket | null,
  ) {
    this.device = new TokenBucket({ capacity: settings.requestBurst, refillPerMs: settings.requestsPerSecond / 1000, clock });
  }

  /**
   * Takes one request from both budgets, or from neither: a request the agent's budget refuses does not spend the
   * device's, so a quiet device of a busy agent is served again as soon as the agent's budget refills.
   */
  admit(): Admission {
    const deviceWait = this.device.waitMs();
    const agentWait = this.agent?.waitMs() ?? 0;
    if (deviceWait === 0 && agentWait === 0) {
      this.device.take();
      this.agent?.take();
      // Not back to zero: a steady flood gets one request through whenever a token refills, and was never closed.
      this.floodScore = Math.max(0, this.floodScore - 1);
      return { ok: true };
    }
    this.floodScore += 1;
    const whose = deviceWait >= agentWait ? 'this device' : "this agent's devices together";
    const error = appError('rate_limited', `too many requests from ${whose}; retry in ${Math.max(deviceWait, agentWait)} ms`, true);
    return { ok: false, error, flooding: this.floodScore >= FLOOD_CLOSE_AFTER };
  }
}
