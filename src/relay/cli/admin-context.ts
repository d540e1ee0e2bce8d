// What every administrative command shares: the data folder it opened (and says so), who acts, and how outcomes exit.
import { userInfo } from 'node:os';
import type { Result } from '../../shared/errors';
import { openSqliteRelayStore } from '../store/relay-db';
import type { ChangedBy } from '../store/relay-store';
import type { SqlRelayStore } from '../store/sql-relay-store';

export type Print = (line: string) => void;

/** Exit codes of the relay's commands. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export interface AdminContext {
  readonly store: SqlRelayStore;
  readonly dataDir: string;
  readonly out: Print;
  readonly errOut: Print;
  /** The operator at this command line, for the audit trail. */
  readonly by: ChangedBy;
  readonly now: () => number;
}

/**
 * Opens the relay's data in `dataDir` (the same SQLite file a running relay uses: WAL and a busy timeout make that
 * safe). A command that only reads refuses a folder with no relay data rather than create an empty one.
 */
export function openAdminStore(dataDir: string, readOnly: boolean): SqlRelayStore {
  return openSqliteRelayStore(dataDir, { mustExist: readOnly }).store;
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
