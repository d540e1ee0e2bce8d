// Refused sign-ins written to the log and the audit trail at most once per source address per interval: the first at
// once, the rest counted into a summary at the interval's end, so a flood is a line or two and its size is still known.
import type { Clock } from '../../shared/clock';
import type { Logger } from '../log';
import type { RelayStore } from '../store/relay-store';
import type { AuthDoor, RefusalReason } from './auth-guard';

export interface Refusal {
  readonly source: string;
  readonly door: AuthDoor;
  /** `rate_limited`: answered 429 without the credential being read. */
  readonly reason: RefusalReason | 'rate_limited';
  readonly agentId: string | null;
  readonly retryAfterSeconds?: number;
  /** The failed ID token check (`wrong audience`, …): a fixed phrase, never part of the credential. */
  readonly check?: string;
}

interface Tally {
  /** When this source's current interval began (monotonic). */
  at: number;
  refused: number;
  limited: number;
  last: Refusal;
  cancelSummary: (() => void) | null;
}

export interface RefusalRecorder {
  record(refusal: Refusal): Promise<void>;
  /** Drops pending summaries (the relay is stopping). */
  close(): void;
}

export function createRefusalRecorder(deps: {
  store: Pick<RelayStore, 'appendAudit'>;
  clock: Clock;
  log: Logger;
  everyMs: number;
  maxSources: number;
}): RefusalRecorder {
  const tallies = new Map<string, Tally>();
  const now = () => deps.clock.monotonicNow();

  async function write(refusal: Refusal, counts: { refused: number; limited: number } | null): Promise<void> {
    const { source, door, reason, agentId } = refusal;
    deps.log.warn('agent.auth_refused', {
      source,
      door,
      reason,
      ...(refusal.check !== undefined && { check: refusal.check }),
      ...(agentId !== null && { agentId }),
      ...(refusal.retryAfterSeconds !== undefined && { retryAfterSeconds: refusal.retryAfterSeconds }),
      ...(counts !== null && { refusedSinceLastLine: counts.refused, rateLimitedSinceLastLine: counts.limited }),
    });
    await deps.store.appendAudit({
      at: deps.clock.wallNow(),
      action: 'session.token_refused',
      actorId: null,
      subjectId: agentId,
      source,
      detail: {
        door,
        reason,
        ...(refusal.check !== undefined && { check: refusal.check }),
        refusedSinceLastEntry: counts?.refused ?? 0,
        rateLimitedSinceLastEntry: counts?.limited ?? 0,
      },
    });
  }

  /** The interval is over: what it held back becomes one line, and a new interval begins. */
  async function summarise(source: string): Promise<void> {
    const tally = tallies.get(source);
    if (tally === undefined) return;
    tally.cancelSummary = null;
    if (tally.refused + tally.limited === 0) return;
    const counts = { refused: tally.refused, limited: tally.limited };
    Object.assign(tally, { at: now(), refused: 0, limited: 0 });
    await write(tally.last, counts);
  }

  return {
    async record(refusal) {
      const at = now();
      const tally = tallies.get(refusal.source);
      if (tally !== undefined && at - tally.at < deps.everyMs) {
        tally[refusal.reason === 'rate_limited' ? 'limited' : 'refused'] += 1;
        tally.last = refusal;
        tally.cancelSummary ??= deps.clock.setTimer(tally.at + deps.everyMs - at, () => {
          summarise(refusal.source).catch((error: unknown) =>
            deps.log.error('agent.auth_record_failed', { error: error instanceof Error ? error : String(error) }),
          );
        });
        return;
      }
      tally?.cancelSummary?.();
      tallies.delete(refusal.source);
      while (tallies.size >= deps.maxSources) {
        const [oldest, dropped] = tallies.entries().next().value!;
        dropped.cancelSummary?.();
        tallies.delete(oldest);
      }
      tallies.set(refusal.source, { at, refused: 0, limited: 0, last: refusal, cancelSummary: null });
      await write(refusal, tally === undefined ? null : { refused: tally.refused, limited: tally.limited });
    },

    close() {
      for (const tally of tallies.values()) tally.cancelSummary?.();
      tallies.clear();
    },
  };
}
