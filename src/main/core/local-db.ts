// Opens the console's SQLite cache (WAL, migrations) — the file that must never lose what the agent typed.
import path from 'node:path';
import Database from 'better-sqlite3';
import { makePrivateDir, preparePrivateDatabase, tightenDatabaseFiles } from '../../node-shared/private-files';
import { migrate } from '../../shared/migrations';
import { applyCacheKey, prepareEncryptedCache } from './cache-cipher';
import type { CacheKey } from './cache-key';
import { localMigrations } from './local-migrations';

export type LocalDatabase = Database.Database;

export interface OpenLocalDatabaseOptions {
  /** better-sqlite3's native binding built for Electron's ABI (see docs/development.md); omit under Node. */
  nativeBinding?: string;
  /** Encrypts the cache (SQLCipher); every host passes one. Omitted: a cache in the clear (tests, the bench). */
  cacheKey?: CacheKey;
  /** Hears that a cache in the clear was encrypted, or an unreadable one discarded. */
  log?: (event: string, fields?: Record<string, unknown>) => void;
}

/** Where media bytes live for the cache in `dataDir`. */
export function mediaDirOf(dataDir: string): string {
  return path.join(dataDir, 'media');
}

export function openLocalDatabase(dataDir: string, options: OpenLocalDatabaseOptions = {}): LocalDatabase {
  // 0700/0600 whatever the umask (docs/security.md); SQLite gives -wal/-shm the database file's mode.
  makePrivateDir(dataDir);
  const file = path.join(dataDir, 'console.db');
  const driver = options.nativeBinding !== undefined ? { nativeBinding: options.nativeBinding } : {};
  if (options.cacheKey !== undefined) prepareEncryptedCache(file, options.cacheKey, driver, options.log ?? (() => {}));
  // After the encryption swap too: the renamed copy is the database now.
  preparePrivateDatabase(file);
  const db = new Database(file, driver);
  try {
    if (options.cacheKey !== undefined) applyCacheKey(db, options.cacheKey.key);
    // Deleted rows (a pruned message, a wiped conversation) are overwritten, not left in free pages.
    db.pragma('secure_delete = ON');
    db.pragma('journal_mode = WAL');
    // NORMAL is durable across application crashes in WAL mode; the commits that must also survive
    // power loss (a message the agent pressed Send on) raise it to FULL for their transaction.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // Temporary tables and VACUUM's working copy stay in memory: nothing from the cache lands in the OS temp folder.
    db.pragma('temp_store = MEMORY');
    migrate(db, localMigrations(mediaDirOf(dataDir)), 'Branchline');
    tightenDatabaseFiles(file); // -wal/-shm an older version left 0644 beside the file
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
