// After a failed link, what the connection does next, decided without I/O: give up, carry on over long polling at
// once, or wait (how long, and the backoff state afterwards).
import { nextBackoff, type BackoffPolicy, type BackoffState } from '../../../shared/backoff';
import type { Next } from './link-failure';

/** After 1008 ("fix the client") retrying at once would only loop: wait the longest backoff. */
const AT_THE_CAP: BackoffState = { attempt: 64, liveSinceMs: null };

export type RetryPlan =
  | { kind: 'give_up'; status: 'credentials_needed' | 'unsupported_version' | 'superseded' }
  /** An upgrade was refused (`preferPoll`), or a WebSocket trial on the fallback failed: go on over long polling now. */
  | { kind: 'poll_now'; preferPoll: boolean }
  | { kind: 'wait'; delayMs: number; backoff: BackoffState };

export function planRetry(next: Next, context: { backoff: BackoffState; policy: BackoffPolicy; random01: number; trialFailed: boolean }): RetryPlan {
  if (next.retry === 'never') return { kind: 'give_up', status: next.status };
  // Throttled: the same transport after at least what the relay asked (a WebSocket trial too: polling is no way round).
  if (next.retry === 'after') {
    const step = nextBackoff(context.backoff, context.policy, context.random01);
    return { kind: 'wait', delayMs: Math.max(next.atLeastMs, step.delayMs), backoff: { attempt: context.backoff.attempt + 1, liveSinceMs: null } };
  }
  if (next.retry === 'now' || context.trialFailed) return { kind: 'poll_now', preferPoll: next.retry === 'now' };
  // The relay is restarting: come back after a short random delay, without growing the backoff.
  if (next.retry === 'soon') return { kind: 'wait', delayMs: Math.floor(context.random01 * context.policy.baseMs), backoff: context.backoff };
  const step = nextBackoff(next.retry === 'capped' ? AT_THE_CAP : context.backoff, context.policy, context.random01);
  return { kind: 'wait', delayMs: step.delayMs, backoff: { attempt: context.backoff.attempt + 1, liveSinceMs: null } };
}
