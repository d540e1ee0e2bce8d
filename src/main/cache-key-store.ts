// The desktop cache's key, wrapped by the OS keychain (Electron safeStorage) in a file in userData, as Signal
// Desktop does. Where the OS offers no real protection (Linux basic_text) the key is never written: memory only.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CACHE_KEY_BYTES, memoryCacheKey, type CacheKey } from './core/cache-key';
import { weakStorageReason, type SafeStorageLike } from './secret-store';

type Log = (event: string, fields?: Record<string, unknown>) => void;

export interface CacheKeyStoreOptions {
  safeStorage: SafeStorageLike;
  /** cache-key.bin in userData. */
  file: string;
  platform: NodeJS.Platform;
  log?: Log;
}

/** Loads the wrapped key, or makes one (a new cache) when there is none or the keychain can no longer unwrap it. */
export function loadDesktopCacheKey({ safeStorage, file, platform, log = () => {} }: CacheKeyStoreOptions): CacheKey {
  const reason = weakStorageReason(safeStorage, platform);
  if (reason !== null) {
    // basic_text "encrypts" with a public key: a stored key would be a key in the clear beside the cache.
    log('cache.key_memory_only', { reason, effect: 'the local cache is discarded at every start' });
    return memoryCacheKey();
  }
  let wrapped: Buffer | null = null;
  try {
    wrapped = readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (wrapped !== null) {
    try {
      const hex = safeStorage.decryptString(wrapped);
      if (/^[0-9a-f]{64}$/.test(hex)) return { key: Buffer.from(hex, 'hex'), created: false, storage: 'keychain' };
    } catch {
      // Another user's or machine's file, or a keyring that was reset: the cache it protects is lost.
    }
    log('cache.key_unreadable', { effect: 'a new key; the unreadable cache is discarded' });
  }
  const key = randomBytes(CACHE_KEY_BYTES);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, safeStorage.encryptString(key.toString('hex')), { mode: 0o600 });
  renameSync(temporary, file);
  return { key, created: true, storage: 'keychain' };
}
