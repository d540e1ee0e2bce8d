// SQLCipher for the console's cache: keys a connection, encrypts a cache an older version left in the clear
// (an encrypted copy, then an atomic swap), and discards a cache whose key is gone for good.
import { closeSync, copyFileSync, existsSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { CacheKey } from './cache-key';

type Log = (event: string, fields?: Record<string, unknown>) => void;

/** The cache cannot be opened with the key it was given (another machine's or user's key, or a wrong BRANCHLINE_CACHE_KEY). */
export class CacheKeyMismatchError extends Error {
  readonly code = 'invalid_input';
  constructor(file: string) {
    super(`The local cache ${file} is encrypted with a different key. Restore the key it was made with, or delete the data folder to start empty.`);
  }
}

/**
 * SQLCipher 4's format with a raw 256-bit key: no passphrase stretching is needed for 32 random bytes, and a
 * security officer can open the file with stock SQLCipher and the key. Must run before anything reads the file.
 */
export function applyCacheKey(db: Database.Database, key: Buffer): void {
  db.pragma(`cipher = 'sqlcipher'`);
  db.pragma('legacy = 4');
  db.pragma(`key = "x'${key.toString('hex')}'"`);
}

type Driver = Database.Options;

/** True when SQLite reads the file without a key (a cache from before encryption, or an empty file). */
function readableInClear(file: string, driver: Driver): boolean {
  const db = new Database(file, { ...driver, fileMustExist: true });
  try {
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_NOTADB') return false;
    throw error;
  } finally {
    db.close();
  }
}

function readableWith(file: string, key: Buffer, driver: Driver): boolean {
  const db = new Database(file, { ...driver, fileMustExist: true });
  try {
    applyCacheKey(db, key);
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_NOTADB') return false;
    throw error;
  } finally {
    db.close();
  }
}

/** The files SQLite keeps beside a database. */
export function sidecarsOf(file: string): string[] {
  return [`${file}-wal`, `${file}-shm`, `${file}-journal`];
}

/**
 * Gets `file` ready to be opened with `cacheKey`: a cache in the clear is encrypted in place (nothing lost), one
 * whose key was lost for good (a key made for this start) is discarded. Anything else that does not open with
 * the key is refused: the agent's queued messages may be in it.
 */
export function prepareEncryptedCache(file: string, cacheKey: CacheKey, driver: Driver, log: Log): void {
  const staging = `${file}.encrypting`;
  // A crash during an earlier migration left a partial copy; the original is still whole beside it.
  rmSync(staging, { force: true });
  rmSync(`${staging}-journal`, { force: true });
  if (!existsSync(file)) return;
  if (readableInClear(file, driver)) {
    encryptInPlace(file, staging, cacheKey.key, driver);
    log('cache.encrypted', { from: 'plaintext' });
    return;
  }
  if (readableWith(file, cacheKey.key, driver)) return;
  if (!cacheKey.created) throw new CacheKeyMismatchError(file);
  // The key this cache was made with no longer exists (kept in memory only, or its file removed): the cache
  // is unreadable forever. What was queued in it cannot be recovered by anyone, so start empty.
  for (const f of [file, ...sidecarsOf(file)]) rmSync(f, { force: true });
  log('cache.discarded', { reason: 'the key it was encrypted with is gone', keyStorage: cacheKey.storage });
}

function encryptInPlace(file: string, staging: string, key: Buffer, driver: Driver): void {
  const plain = new Database(file, driver);
  try {
    // Everything in the WAL goes into the main file first, so the copy below holds every committed write.
    plain.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    plain.close();
  }
  // SQLite3 Multiple Ciphers has no sqlcipher_export(); it encrypts a plaintext database with PRAGMA rekey (which
  // also makes room for SQLCipher's per-page IV and MAC). That runs on a copy, so the original stays whole until the swap.
  copyFileSync(file, staging);
  const copy = new Database(staging, driver);
  try {
    copy.pragma('journal_mode = DELETE'); // rekey is refused in WAL mode; openLocalDatabase turns WAL back on
    copy.pragma(`cipher = 'sqlcipher'`);
    copy.pragma('legacy = 4');
    copy.pragma(`rekey = "x'${key.toString('hex')}'"`);
  } finally {
    copy.close();
  }
  if (!readableWith(staging, key, driver) || readableInClear(staging, driver)) throw new Error('The cache could not be encrypted (the copy did not verify).');
  const fd = openSync(staging, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  // The plaintext WAL was checkpointed and closed; a stale one must never be replayed onto the encrypted file.
  for (const f of sidecarsOf(file)) rmSync(f, { force: true });
  // Atomic: a crash leaves either the whole plaintext cache (migrated again next start) or the whole encrypted one.
  renameSync(staging, file);
  syncFolder(path.dirname(file));
}

function syncFolder(dir: string): void {
  if (process.platform === 'win32') return; // directories cannot be opened for fsync there; rename is durable enough
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
