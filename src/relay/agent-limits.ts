// What one agent may hold on this relay process: how many devices at once, and one request budget across all of them.
import type { ServerResponse } from 'node:http';
import type { Clock } from '../shared/clock';
import { appError, type AppError } from '../shared/errors';
import { TokenBucket } from '../shared/token-bucket';
import { sendJson } from './http-util';
import type { Logger } from './log';

export interface AgentLimitSettings {
  readonly devicesPerAgent: number;
  readonly agentRequestsPerSecond: number;
  readonly agentRequestBurst: number;
}

/** Which devices of an agent are connected here (the session hub). */
export interface LiveDevices {
  devicesOf(agentId: string, except?: string): number;
}

/** What a device refused for the cap is told to wait before trying again: long enough not to spin, short for a sign-out. */
export const DEVICE_CAP_RETRY_SECONDS = 30;

/** A device refused for the cap is logged at most this often per agent, with how many were refused since the last line. */
const LOG_EVERY_MS = 10_000;

/**
 * Past this many agents with a budget, those of agents with no device here and a full bucket are forgotten (a full
 * bucket is as good as a new one). One a session still holds is kept: a second bucket would double that agent's budget.
 */
const BUDGETS_BEFORE_PRUNE = 1_000;

export class AgentLimits {
  private readonly budgets = new Map<string, TokenBucket>();
  /** Per agent refused for the cap: when the last line was logged, and refusals since. */
  private readonly logged = new Map<string, { at: number; since: number }>();

  constructor(
    private readonly settings: AgentLimitSettings,
    private readonly clock: Clock,
    private readonly live: LiveDevices,
    private readonly log: Logger,
  ) {}

  /**
   * Null when this device may connect; else the refusal, in words the console shows. A device already connected
   * (reconnecting, or moving between WebSocket and long polling) never counts against itself. Counted on this process
   * only: behind a load balancer an agent may hold up to this many devices on each relay instance.
   */
  deviceRefusal(agentId: string, deviceId: string, source: string): AppError | null {
    const others = this.live.devicesOf(agentId, deviceId);
    if (others < this.settings.devicesPerAgent) return null;
    this.noteRefusal(agentId, source);
    return appError('rate_limited', `This agent is signed in on ${others} devices already: sign out on one of them`, true);
  }

  /** 500 devices tried are a line or two in the log, not 500: the first at once, then one per interval with a count. */
  private noteRefusal(agentId: string, source: string): void {
    const now = this.clock.monotonicNow();
    const last = this.logged.get(agentId);
    if (last !== undefined && now - last.at < LOG_EVERY_MS) {
      last.since += 1;
      return;
    }
    if (this.logged.size >= BUDGETS_BEFORE_PRUNE) for (const [id, l] of this.logged) if (now - l.at >= LOG_EVERY_MS) this.logged.delete(id);
    this.log.info('agent.device_cap', { agentId, source, devicesPerAgent: this.settings.devicesPerAgent, refusedSinceLastLine: last?.since ?? 0 });
    this.logged.set(agentId, { at: now, since: 0 });
  }

  /** The agent's request budget, shared by every session of theirs on this process. */
  budgetOf(agentId: string): TokenBucket {
    let bucket = this.budgets.get(agentId);
    if (bucket === undefined) {
      if (this.budgets.size >= BUDGETS_BEFORE_PRUNE) {
        for (const [id, b] of this.budgets) if (b.isFull() && this.live.devicesOf(id) === 0) this.budgets.delete(id);
      }
      const { agentRequestBurst, agentRequestsPerSecond } = this.settings;
      bucket = new TokenBucket({ capacity: agentRequestBurst, refillPerMs: agentRequestsPerSecond / 1000, clock: this.clock });
      this.budgets.set(agentId, bucket);
    }
    return bucket;
  }
}

/** A limit's refusal over HTTP: `429 rate_limited` with `Retry-After` and the words the console shows. */
export function sendLimited(res: ServerResponse, error: AppError, retryAfterSeconds: number): void {
  sendJson(res, 429, { error }, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) });
}
