// The console cache's 256-bit key for hosts without a keychain (headless agent, web preview): from
// BRANCHLINE_CACHE_KEY, else a 0600 key file outside the data folder, so a copied data folder alone reveals nothing.
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const CACHE_KEY_BYTES = 32;

/** Where the key is kept, for the UI and the diagnostics (never the key itself). */
export type CacheKeyStorage = 'keychain' | 'memory' | 'environment' | 'file';

/** The key the console's cache is encrypted with. Hosts build it; createConsole only uses it. */
export interface CacheKey {
  readonly key: Buffer;
  /**
   * True when the key was made for this start: a cache already encrypted on disk was encrypted with another
   * key (lost, or kept in memory only) and can never be read again, so it is discarded rather than refused.
   */
  readonly created: boolean;
  readonly storage: CacheKeyStorage;
  /** The key file, when storage is 'file' (documented for IT; the diagnostics name it). */
  readonly file?: string;
}

export class CacheKeyError extends Error {
  readonly code = 'invalid_input';
}

const HEX_KEY = /^[0-9a-fA-F]{64}$/;

/** A new random key kept only in memory: the cache is disposable (no keyring to protect a stored key). */
export function memoryCacheKey(): CacheKey {
  return { key: randomBytes(CACHE_KEY_BYTES), created: true, storage: 'memory' };
}

/** The per-user config folder the key files live in (XDG on Linux, AppData on Windows, Application Support on macOS). */
export function defaultKeyDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, home: string): string {
  if (platform === 'win32') return path.join(env['APPDATA'] ?? path.join(home, 'AppData', 'Roaming'), 'Branchline', 'cache-keys');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Branchline', 'cache-keys');
  const config = env['XDG_CONFIG_HOME'] !== undefined && env['XDG_CONFIG_HOME'] !== '' ? env['XDG_CONFIG_HOME'] : path.join(home, '.config');
  return path.join(config, 'branchline', 'cache-keys');
}

/** One key file per data folder, named by a hash of the folder's absolute path (the path itself may name a person). */
export function keyFileFor(keyDir: string, dataDir: string): string {
  const id = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 32);
  return path.join(keyDir, `${id}.key`);
}

export interface HeadlessKeyOptions {
  env: NodeJS.ProcessEnv;
  dataDir: string;
  /** Folder of the key files: defaultKeyDir(...) in the CLIs, a temporary folder in tests. */
  keyDir: string;
}

/** BRANCHLINE_CACHE_KEY (64 hex digits) when set, else the data folder's key file, created on first use. */
export function headlessCacheKey({ env, dataDir, keyDir }: HeadlessKeyOptions): CacheKey {
  const fromEnv = env['BRANCHLINE_CACHE_KEY'];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!HEX_KEY.test(fromEnv.trim())) throw new CacheKeyError('BRANCHLINE_CACHE_KEY must be 64 hexadecimal digits (a 256-bit key).');
    return { key: Buffer.from(fromEnv.trim(), 'hex'), created: false, storage: 'environment' };
  }
  const file = keyFileFor(keyDir, dataDir);
  const existing = readKeyFile(file);
  if (existing !== null) return { key: existing, created: false, storage: 'file', file };

  mkdirSync(keyDir, { recursive: true, mode: 0o700 });
  chmodSync(keyDir, 0o700);
  const key = randomBytes(CACHE_KEY_BYTES);
  // Written whole under a temporary name, then linked into place: a crash never leaves half a key, and of two
  // processes starting at once, the second one finds the first one's key (link fails with EEXIST) and uses it.
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${key.toString('hex')}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  try {
    linkSync(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const theirs = readKeyFile(file);
    if (theirs === null) throw new CacheKeyError(`The cache key file ${file} is unreadable.`);
    return { key: theirs, created: false, storage: 'file', file };
  } finally {
    rmSync(temporary, { force: true });
  }
  return { key, created: true, storage: 'file', file };
}

function readKeyFile(file: string): Buffer | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  if (!HEX_KEY.test(text)) throw new CacheKeyError(`The cache key file ${file} does not hold a 256-bit key (64 hexadecimal digits).`);
  return Buffer.from(text, 'hex');
}
