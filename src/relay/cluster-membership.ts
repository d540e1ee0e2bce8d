// What makes one relay instance among several on a PostgreSQL database: it wakes on the others' commits and sends
// only for the business numbers it leads. Alone on SQLite it does neither (one process sees all its own commits).
import type { Clock } from '../shared/clock';
import type { Logger } from './log';
import { EVERY_NUMBER, NumberLeadership, type SendLeadership } from './send-leadership';
import { PgDatabase } from './store/postgres/pg-database';
import { EVENTS_CHANNEL } from './store/records/event-log';
import type { RelayStore } from './store/relay-store';
import type { SqlDatabase } from './store/sql/sql-database';

/** How often an instance tries to take the numbers no instance leads (a dead holder's lock frees at once). */
export const LEADERSHIP_INTERVAL_MS = 1_000;

export interface ClusterMembership {
  readonly leadership: SendLeadership;
  /** Listens for the others' commits (`onCommitted` on each, and after a lost connection) and starts leading numbers. */
  start(onCommitted: () => void): Promise<void>;
  /** Stops listening and releases the numbers (call after the dispatcher stopped). */
  stop(): Promise<void>;
}

export interface ClusterDeps {
  readonly store: Pick<RelayStore, 'servedNumbers'>;
  readonly clock: Clock;
  readonly log: Logger;
  readonly takeOver: (phoneNumberId: string) => Promise<void>;
  readonly intervalMs?: number;
}

export function clusterMembership(db: SqlDatabase, deps: ClusterDeps): ClusterMembership {
  if (!(db instanceof PgDatabase)) return { leadership: EVERY_NUMBER, start: () => Promise.resolve(), stop: () => Promise.resolve() };
  const leadership = new NumberLeadership({
    locks: db.numberLocks(deps.log),
    served: () => deps.store.servedNumbers(),
    takeOver: deps.takeOver,
    clock: deps.clock,
    log: deps.log,
    intervalMs: deps.intervalMs ?? LEADERSHIP_INTERVAL_MS,
  });
  let unlisten: () => Promise<void> = () => Promise.resolve();
  return {
    leadership,
    start: async (onCommitted) => {
      // A gap (PostgreSQL restarted) may have swallowed notifications: look once now; the head watch is the backstop.
      unlisten = await db.listen(EVENTS_CHANNEL, { onNotify: onCommitted, onGap: onCommitted });
      leadership.start();
    },
    stop: async () => {
      await unlisten();
      await leadership.stop();
    },
  };
}
