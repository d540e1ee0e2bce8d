// What every administrative command shares: the data folder it opened (and says so), who acts, and how outcomes exit.
import { userInfo } from 'node:os';
import type { Result } from '../../shared/errors';
import type { DatabaseSetting } from '../database-config';
import { openPostgresRelayDatabase } from '../store/postgres/pg-migrations';
import { openSqliteRelayStore } from '../store/relay-db';
import type { ChangedBy } from '../store/relay-store';
import { SqlRelayStore } from '../store/sql-relay-store';

export type Print = (line: string) => void;

/** Exit codes of the relay's commands. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export interface AdminContext {
  readonly store: SqlRelayStore;
  /** Where the data is, as messages name it: the data folder, or the PostgreSQL URL without its password. */
  readonly dataDir: string;
  readonly out: Print;
  readonly errOut: Print;
  /** The operator at this command line, for the audit trail. */
  readonly by: ChangedBy;
  readonly now: () => number;
}

/**
 * Opens the relay's data where the relay keeps it: the SQLite file in `dataDir` (the same file a running relay uses:
 * WAL and a busy timeout make that safe; a command that only reads refuses a folder with no relay data rather than
 * create an empty one), or the PostgreSQL database the relays share (`--database` / RELAY_DATABASE_URL), so a change
 * made here reaches every instance.
 */
export async function openAdminStore(settings: { dataDir: string; database: DatabaseSetting }, readOnly: boolean): Promise<SqlRelayStore> {
  if (settings.database.kind === 'postgres') return new SqlRelayStore(await openPostgresRelayDatabase(settings.database.url.reveal()));
  return openSqliteRelayStore(settings.dataDir, { mustExist: readOnly }).store;
}

export function operator(): ChangedBy {
  let name: string | null = null;
  try {
    name = userInfo().username;
  } catch {
    // No user name on this system (a container without a passwd entry): the entry says "cli" all the same.
  }
  return { actorId: null, source: 'cli', operator: name };
}

/**
 * A store refusal as the operator reads it: something named that does not exist is a usage error (2), anything else
 * (e.g. it exists already) a failure (1). Nothing was written either way.
 */
export function refusal(result: Extract<Result<unknown>, { ok: false }>, errOut: Print): number {
  errOut(`relay: ${result.error.message}; nothing was changed`);
  return result.error.code === 'not_found' ? EXIT.usage : EXIT.failed;
}
