// Opens the console's SQLite cache (WAL, migrations) — the file that must never lose what the agent typed.
import path from 'node:path';
import Database from 'better-sqlite3';
import { makePrivateDir, preparePrivateDatabase, tightenDatabaseFiles } from '../../node-shared/private-files';
import { migrate } from '../../shared/migrations';
import { localMigrations } from './local-migrations';

export type LocalDatabase = Database.Database;

export interface OpenLocalDatabaseOptions {
  /** better-sqlite3's native binding built for Electron's ABI (see docs/development.md); omit under Node. */
  nativeBinding?: string;
}

/** Where media bytes live for the cache in `dataDir`. */
export function mediaDirOf(dataDir: string): string {
  return path.join(dataDir, 'media');
}

export function openLocalDatabase(dataDir: string, options: OpenLocalDatabaseOptions = {}): LocalDatabase {
  // 0700/0600 whatever the umask (docs/security.md); SQLite gives -wal/-shm the database file's mode.
  makePrivateDir(dataDir);
  const file = path.join(dataDir, 'console.db');
  preparePrivateDatabase(file);
  const db = new Database(file, options.nativeBinding !== undefined ? { nativeBinding: options.nativeBinding } : {});
  try {
    db.pragma('journal_mode = WAL');
    // NORMAL is durable across application crashes in WAL mode; the commits that must also survive
    // power loss (a message the agent pressed Send on) raise it to FULL for their transaction.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('secure_delete = ON'); // deleted rows are zeroed on disk, not left readable in free pages
    migrate(db, localMigrations(mediaDirOf(dataDir)), 'Branchline');
    tightenDatabaseFiles(file); // -wal/-shm an older version left 0644 beside the file
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
