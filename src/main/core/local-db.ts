// Opens the console's SQLite cache (WAL, migrations) — the file that must never lose what the agent typed.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
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
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(path.join(dataDir, 'console.db'), options.nativeBinding !== undefined ? { nativeBinding: options.nativeBinding } : {});
  try {
    db.pragma('journal_mode = WAL');
    // NORMAL is durable across application crashes in WAL mode; the commits that must also survive
    // power loss (a message the agent pressed Send on) raise it to FULL for their transaction.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('secure_delete = ON'); // deleted rows are zeroed on disk, not left readable in free pages
    migrate(db, localMigrations(mediaDirOf(dataDir)), 'Branchline');
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
