// The relay instances sharing one database: each registers where the others reach it and beats a heartbeat, so an
// instance can pass a long poll on to the session's home, or tell the console that home is gone.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { parseRow } from '../../node-shared/stored-row';
import type { Clock } from '../../shared/clock';
import type { Logger } from '../log';
import type { SqlDatabase } from '../store/sql/sql-database';

/**
 * The table, per dialect (SQLite schema 8, PostgreSQL schema 4). `forward_key` is the secret another instance signs a console's address with when it passes
 * a request on to this one (forwarded-source.ts): whoever can read this table can already read everything else.
 */
export const RELAY_INSTANCES_DDL = {
  sqlite:
    'CREATE TABLE relay_instances (id TEXT PRIMARY KEY, url TEXT, forward_key TEXT NOT NULL, ' +
    'started_at INTEGER NOT NULL, heartbeat_at INTEGER NOT NULL) STRICT',
  postgres:
    'CREATE TABLE relay_instances (id TEXT PRIMARY KEY, url TEXT, forward_key TEXT NOT NULL, ' + 'started_at BIGINT NOT NULL, heartbeat_at BIGINT NOT NULL)',
} as const;

export const HEARTBEAT_MS = 5_000;
/** Four missed beats, and room for clocks a few seconds apart: past this an instance is taken for dead. */
export const STALE_AFTER_MS = 20_000;
/** Rows of instances silent this long are removed by whichever instance beats next. */
const FORGET_AFTER_MS = 3_600_000;
const PRUNE_EVERY_BEATS = 12;

/** What it takes to pass a request on to another instance. */
export interface Peer {
  readonly id: string;
  readonly url: string;
  readonly forwardKey: string;
}

const InstanceRow = z.object({
  id: z.string(),
  url: z.string().nullable(),
  forward_key: z.string(),
  // PostgreSQL's driver reads BIGINT as a string.
  heartbeat_at: z.coerce.number(),
});

export interface InstanceRegistry {
  readonly id: string;
  /** This instance's own key: a request vouched for with it came from another instance. */
  readonly forwardKey: string;
  /** Registers this instance, reached at `url` (null: not reachable by the others) and starts beating. */
  start(url: string | null): Promise<void>;
  /** The live instance `id` and where to reach it; null when it is unknown, silent past STALE_AFTER_MS, or unreachable. */
  peer(id: string): Promise<Peer | null>;
  /**
   * Stops beating and removes this instance: the others forget it at their next beat rather than after STALE_AFTER_MS
   * (until then a forward finds no one listening there, and is answered as gone all the same).
   */
  stop(): Promise<void>;
}

export function createInstanceRegistry(deps: {
  db: SqlDatabase;
  clock: Clock;
  log: Logger;
  /** Tests give a known id; by default 80 random bits. */
  id?: string;
  heartbeatMs?: number;
  staleAfterMs?: number;
}): InstanceRegistry {
  const { db, clock, log } = deps;
  const id = deps.id ?? randomBytes(10).toString('hex');
  const forwardKey = randomBytes(32).toString('base64url');
  const heartbeatMs = deps.heartbeatMs ?? HEARTBEAT_MS;
  const staleAfterMs = deps.staleAfterMs ?? STALE_AFTER_MS;
  // What the last beat read of the others, so a forward costs no query while its home keeps beating.
  let known = new Map<string, z.infer<typeof InstanceRow>>();
  let url: string | null = null;
  let cancel: (() => void) | null = null;
  let beats = 0;
  let started = false;
  let stopped = false;

  const fresh = (row: z.infer<typeof InstanceRow>) => clock.wallNow() - row.heartbeat_at <= staleAfterMs;
  const asPeer = (row: z.infer<typeof InstanceRow>): Peer | null =>
    row.url === null || !fresh(row) ? null : { id: row.id, url: row.url, forwardKey: row.forward_key };

  async function register(now: number): Promise<void> {
    await db.run(
      'INSERT INTO relay_instances (id, url, forward_key, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT (id) DO UPDATE SET url = excluded.url, heartbeat_at = excluded.heartbeat_at',
      [id, url, forwardKey, now, now],
    );
  }

  async function beat(): Promise<void> {
    const now = clock.wallNow();
    // Removed by another instance after a long pause (a suspended VM): register again rather than stay invisible.
    if ((await db.run('UPDATE relay_instances SET heartbeat_at = ? WHERE id = ?', [now, id])).changes === 0) await register(now);
    // Another write would take the database's write lock on every beat for a rare clean-up: once a minute is plenty.
    if (beats++ % PRUNE_EVERY_BEATS === 0) await db.run('DELETE FROM relay_instances WHERE heartbeat_at < ?', [now - FORGET_AFTER_MS]);
    const rows = await db.all('SELECT id, url, forward_key, heartbeat_at FROM relay_instances WHERE heartbeat_at >= ?', [now - staleAfterMs]);
    known = new Map(rows.map((r) => parseRow('relay_instances', InstanceRow, r)).map((r) => [r.id, r]));
  }

  function schedule(): void {
    if (stopped) return;
    cancel = clock.setTimer(heartbeatMs, () => {
      beat()
        .catch((error: unknown) => log.warn('instance.heartbeat_failed', { error: error instanceof Error ? error : String(error) }))
        .finally(schedule);
    });
  }

  return {
    id,
    forwardKey,
    async start(at) {
      url = at;
      await register(clock.wallNow());
      started = true;
      await beat();
      schedule();
      log.info('instance.registered', { instanceId: id, url: url ?? 'none' });
      if (url === null)
        log.warn('instance.unreachable', { instanceId: id, hint: 'set RELAY_INSTANCE_URL so other instances can pass long polls on to this one' });
    },
    async peer(peerId) {
      const cached = known.get(peerId);
      if (cached !== undefined && fresh(cached)) return asPeer(cached);
      // Started since the last beat, or beating while our copy aged: ask the database itself.
      const row = await db.get('SELECT id, url, forward_key, heartbeat_at FROM relay_instances WHERE id = ?', [peerId]);
      if (row === undefined) return null;
      const parsed = parseRow('relay_instances', InstanceRow, row);
      known.set(parsed.id, parsed);
      return asPeer(parsed);
    },
    async stop() {
      stopped = true;
      cancel?.();
      // Failing here costs only STALE_AFTER_MS of "gone" answers coming late: never a reason to fail the shutdown.
      if (started)
        await db
          .run('DELETE FROM relay_instances WHERE id = ?', [id])
          .catch((error: unknown) => log.warn('instance.unregister_failed', { error: String(error) }));
    },
  };
}
