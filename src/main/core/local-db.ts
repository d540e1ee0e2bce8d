// Opens the console's SQLite cache (WAL, migrations) — the file that must never lose what the agent typed.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
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
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'console.db');
  const driver = options.nativeBinding !== undefined ? { nativeBinding: options.nativeBinding } : {};
  if (options.cacheKey !== undefined) prepareEncryptedCache(file, options.cacheKey, driver, options.log ?? (() => {}));
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
    migrate(db, localMigrations(mediaDirOf(dataDir)), 'Branchline');
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
