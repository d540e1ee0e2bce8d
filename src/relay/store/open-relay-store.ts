// Opens the store the settings name: SQLite in the data folder (one machine), or PostgreSQL from a URL (several).
import type { DatabaseSetting } from '../database-config';
import type { Logger } from '../log';
import { openPostgresRelayDatabase } from './postgres/pg-migrations';
import { openSqliteRelayStore } from './relay-db';
import { SqlRelayStore } from './sql-relay-store';
import type { SqlDatabase } from './sql/sql-database';

export interface OpenedStore {
  readonly store: SqlRelayStore;
  /** The database under the store: media and the instance registry keep their tables in it too. */
  readonly db: SqlDatabase;
}

export async function openRelayStore(
  settings: { readonly dataDir: string; readonly database: DatabaseSetting; readonly phoneNumberId?: string | undefined },
  options: { readonly log?: Logger; readonly now?: () => number } = {},
): Promise<OpenedStore> {
  if (settings.database.kind === 'sqlite') {
    const { store } = openSqliteRelayStore(settings.dataDir, settings.phoneNumberId === undefined ? {} : { phoneNumberId: settings.phoneNumberId });
    return { store, db: store.db };
  }
  const db = await openPostgresRelayDatabase(settings.database.url.reveal(), options.log === undefined ? {} : { log: options.log });
  const store = new SqlRelayStore(db);
  const { phoneNumberId } = settings;
  // As on SQLite: the configured number joins team main unless a team serves it. Instances starting together may both
  // try; the second is told `conflict`, which changes nothing.
  if (phoneNumberId !== undefined && (await store.teamOfNumber(phoneNumberId)) === null) {
    await store.addNumber({ phoneNumberId, teamId: 'main', display: null }, (options.now ?? Date.now)(), { actorId: null, source: 'config' });
  }
  return { store, db };
}
