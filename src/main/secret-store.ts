// The device session's refresh token (the only relay credential kept), encrypted with the OS keychain (Electron safeStorage) in userData.
// Where the OS offers no real protection, the token is kept in memory for this session only, and says so.
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makePrivateDirAsync } from '../node-shared/private-files';
import type { TokenStore } from './core/session-service';

type Log = (event: string, fields?: Record<string, unknown>) => void;

export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only in Electron. */
  getSelectedStorageBackend?(): string;
}

export interface SecretStoreOptions {
  safeStorage: SafeStorageLike;
  /** relay-token.bin in userData. */
  file: string;
  platform: NodeJS.Platform;
  log?: Log;
}

/**
 * Why the OS cannot protect the token, or null when it can. On Linux without a keyring (no
 * gnome-keyring/KWallet: many kiosk and VDI desktops) Electron falls back to 'basic_text', which
 * "encrypts" with a fixed, public key: storing the token there would be storing it in clear.
 */
export function weakStorageReason(safeStorage: SafeStorageLike, platform: NodeJS.Platform): string | null {
  if (!safeStorage.isEncryptionAvailable()) return 'the operating system offers no encryption for secrets';
  if (platform === 'linux') {
    const backend = safeStorage.getSelectedStorageBackend?.() ?? 'unknown';
    if (backend === 'basic_text' || backend === 'unknown') return `no keyring on this Linux desktop (safeStorage backend: ${backend})`;
  }
  return null;
}

export class SafeStorageTokenStore implements TokenStore {
  private readonly log: Log;
  private memory: string | null = null;
  private warned = false;

  constructor(private readonly options: SecretStoreOptions) {
    this.log = options.log ?? (() => {});
  }

  /**
   * True when the token is only kept for this session (no keyring): the agent signs in again after a
   * restart. The UI should say why; see weakStorageReason.
   */
  get weakStorage(): boolean {
    return this.reason() !== null;
  }

  async load(): Promise<string | null> {
    if (this.weakStorage) return this.memory;
    let encrypted: Buffer;
    try {
      encrypted = await readFile(this.options.file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.log('secrets.read_failed', { code: (error as NodeJS.ErrnoException).code ?? null });
      return null;
    }
    try {
      return this.options.safeStorage.decryptString(encrypted);
    } catch {
      // Another user's or machine's file, or a keyring that was reset: the agent signs in again.
      this.log('secrets.unreadable');
      return null;
    }
  }

  async save(token: string): Promise<void> {
    if (this.weakStorage) {
      this.memory = token;
      return;
    }
    const encrypted = this.options.safeStorage.encryptString(token);
    await makePrivateDirAsync(path.dirname(this.options.file));
    const temporary = `${this.options.file}.tmp`;
    await writeFile(temporary, encrypted, { mode: 0o600 });
    await rename(temporary, this.options.file);
    this.memory = null;
  }

  async clear(): Promise<void> {
    this.memory = null;
    // Also when storage is weak now: a file from a session that had a keyring must not outlive a sign-out.
    await rm(this.options.file, { force: true });
  }

  private reason(): string | null {
    const reason = weakStorageReason(this.options.safeStorage, this.options.platform);
    if (reason !== null && !this.warned) {
      this.warned = true;
      this.log('secrets.weak_storage', { reason, effect: 'the token is kept in memory for this session only' });
    }
    return reason;
  }
}
