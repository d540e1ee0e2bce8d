// Versioned migrations of the relay's PostgreSQL schema, and opening a PostgreSQL relay database from its URL.
import { z } from 'zod';
import { parseRowIfAny } from '../../../node-shared/stored-row';
import { DatabaseTooNewError } from '../../../shared/migrations';
import type { Logger } from '../../log';
import { MAIN_TEAM } from '../migration-3-teams';
import { PgDatabase } from './pg-database';
import { PG_SCHEMA_1 } from './pg-schema-1';
import { MEDIA_PARTS_DDL } from '../sql-media-files';
import { RELAY_INSTANCES_DDL } from '../../cluster/instance-registry';

export interface PgMigration {
  /** 1, 2, 3 … with no gaps: the schema version this migration produces. */
  readonly version: number;
  readonly description: string;
  /** Runs inside the migration's transaction; a throw leaves the database at the previous version. */
  readonly up: (db: PgDatabase) => Promise<void>;
}

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    description: 'the relay schema as SQLite has it after its migrations 1–5, and team main',
    up: async (db) => {
      await db.exec(PG_SCHEMA_1);
      await db.run('INSERT INTO teams (id, name, created_at) VALUES (?, ?, ?)', [MAIN_TEAM.id, MAIN_TEAM.name, Date.now()]);
    },
  },
  {
    version: 2,
    description: 'media parts: media bytes every instance reads (SQLite schema 6)',
    up: async (db) => {
      await db.exec(MEDIA_PARTS_DDL.postgres);
    },
  },
  {
    version: 3,
    description: 'agents’ uploads by uploader and age: upload quotas, expiry of uploads never sent (SQLite schema 7)',
    up: async (db) => {
      await db.exec("CREATE INDEX media_uploads_by_agent ON media (uploaded_by, created_at) WHERE origin = 'upload'");
    },
  },
  {
    version: 4,
    description: 'relay instances sharing the database (SQLite schema 8)',
    up: async (db) => {
      await db.exec(RELAY_INSTANCES_DDL.postgres);
    },
  },
];

/** The version lives in the database (SQLite keeps it in user_version); one row. */
const VERSION_TABLE = 'branchline_schema';
const VersionRow = z.object({ version: z.number().int() });

export const RELAY_APP_NAME = 'the Branchline relay';

/**
 * Brings the database to the newest schema, one transaction per migration. Each runs under the writers' advisory lock
 * (PgDatabase.transaction), so instances starting together take turns: the second finds the work done. A database
 * newer than these migrations is refused with DatabaseTooNewError, untouched.
 */
export async function migratePostgres(
  db: PgDatabase,
  migrations: readonly PgMigration[] = PG_MIGRATIONS,
  appName = RELAY_APP_NAME,
): Promise<{ from: number; to: number }> {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration #${i} has version ${m.version}; versions must run 1, 2, 3 … without gaps`);
  });
  const latest = migrations.length;
  let from: number | null = null;
  for (;;) {
    const applied = await db.transaction(async () => {
      await db.exec(`CREATE TABLE IF NOT EXISTS ${VERSION_TABLE} (version INTEGER NOT NULL)`);
      const row = parseRowIfAny(VERSION_TABLE, VersionRow, await db.get(`SELECT version FROM ${VERSION_TABLE}`));
      if (row === undefined) await db.run(`INSERT INTO ${VERSION_TABLE} (version) VALUES (0)`);
      const current = row?.version ?? 0;
      from ??= current;
      if (current > latest) throw new DatabaseTooNewError(current, latest, appName);
      const next = migrations[current];
      if (next === undefined) return false;
      await next.up(db);
      await db.run(`UPDATE ${VERSION_TABLE} SET version = ?`, [next.version]);
      return true;
    });
    if (!applied) return { from: from ?? 0, to: latest };
  }
}

export interface OpenPostgresOptions {
  readonly log?: Logger;
  readonly maxConnections?: number;
}

/**
 * Connects to the relay's PostgreSQL database and brings its schema up to date. Throws DatabaseUnavailableError when
 * the server cannot be reached (the message names it without the password) and DatabaseTooNewError when a newer
 * relay has already migrated it.
 */
export async function openPostgresRelayDatabase(url: string, options: OpenPostgresOptions = {}): Promise<PgDatabase> {
  const db = await PgDatabase.open({ url, ...options });
  try {
    await migratePostgres(db);
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
  return db;
}
