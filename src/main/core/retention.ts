// Keeps the desktop's history within machine policy: once at start and then daily, older messages and files go.
import type { Clock } from '../../shared/clock';
import type { LocalStore } from './local-store';

const DAY_MS = 86_400_000;

/** Starts pruning; returns a function that stops it. */
export function startRetention(deps: {
  store: LocalStore;
  clock: Clock;
  days: number;
  log: (event: string, fields?: Record<string, unknown>) => void;
}): () => void {
  let cancel: () => void = () => {};
  const prune = (): void => {
    try {
      const removed = deps.store.pruneHistory(deps.clock.wallNow() - deps.days * DAY_MS);
      if (removed.messages > 0 || removed.files > 0) deps.log('retention.pruned', { ...removed, days: deps.days });
    } catch (error) {
      deps.log('retention.failed', { error: error instanceof Error ? error.message : String(error) });
    }
    cancel = deps.clock.setTimer(DAY_MS, prune);
  };
  prune();
  return () => cancel();
}
