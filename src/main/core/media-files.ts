// Media bytes the console keeps (files the agent opened or queued), as private files beside the database,
// encrypted with a key derived from the cache key (AES-256-GCM per file) when the cache is encrypted.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import { closeSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makePrivateDir } from '../../node-shared/private-files';

/** Marks an encrypted file; a file without it was written in the clear by a version before encryption. */
const MAGIC = Buffer.from('BLMEDIA1');
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The media key: its own key, so the same bytes are never used for two ciphers (the database's and the files'). */
export function mediaKeyOf(cacheKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', cacheKey, Buffer.alloc(0), 'branchline console media v1', 32));
}

/** Files are named by a random id, never by anything the relay or a customer chose (a media id may hold ':' or '..'). */
export class MediaFiles {
  private readonly key: Buffer | null;

  /** `cacheKey`: the cache's key (files are encrypted); null keeps them in the clear (tests, an unencrypted cache). */
  constructor(
    readonly dir: string,
    cacheKey: Buffer | null = null,
  ) {
    makePrivateDir(dir);
    this.key = cacheKey === null ? null : mediaKeyOf(cacheKey);
    if (this.key !== null) this.encryptLeftovers();
  }

  /** Writes the bytes whole (a temporary name, then a rename) and returns the file's name. */
  write(bytes: Uint8Array): string {
    const file = `${randomUUID()}.bin`;
    this.writeAs(file, bytes);
    return file;
  }

  /** The bytes, or null when the file is gone (deleted by hand, a crash before the row was written) or was tampered with. */
  read(file: string): Buffer | null {
    const name = path.basename(file);
    let stored: Buffer;
    try {
      stored = readFileSync(path.join(this.dir, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    if (this.key === null) return stored;
    return this.open(name, stored);
  }

  remove(file: string): void {
    rmSync(path.join(this.dir, path.basename(file)), { force: true });
  }

  /** Deletes files no row names (left by a crash between writing a file and committing its row, or the reverse). */
  sweep(known: ReadonlySet<string>): number {
    let removed = 0;
    for (const entry of readdirSync(this.dir)) {
      if (known.has(entry)) continue;
      rmSync(path.join(this.dir, entry), { force: true });
      removed += 1;
    }
    return removed;
  }

  private writeAs(name: string, bytes: Uint8Array): void {
    const temporary = path.join(this.dir, `${name}.tmp`);
    writeFileSync(temporary, this.seal(name, bytes), { mode: 0o600 });
    renameSync(temporary, path.join(this.dir, name));
  }

  /** The file's name is authenticated with it, so one cached file cannot be swapped for another. */
  private seal(name: string, bytes: Uint8Array): Uint8Array {
    if (this.key === null) return bytes;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(name));
    const body = Buffer.concat([cipher.update(bytes), cipher.final()]);
    return Buffer.concat([MAGIC, iv, cipher.getAuthTag(), body]);
  }

  private open(name: string, stored: Buffer): Buffer | null {
    if (stored.length < MAGIC.length + IV_BYTES + TAG_BYTES || !stored.subarray(0, MAGIC.length).equals(MAGIC)) return null;
    const iv = stored.subarray(MAGIC.length, MAGIC.length + IV_BYTES);
    const tag = stored.subarray(MAGIC.length + IV_BYTES, MAGIC.length + IV_BYTES + TAG_BYTES);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key!, iv);
      decipher.setAAD(Buffer.from(name));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(stored.subarray(MAGIC.length + IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch {
      return null; // another key's file (a discarded cache) or altered bytes: a cache miss, fetched again
    }
  }

  /** Files a version before encryption wrote in the clear are encrypted in place (whole file, then a rename). */
  private encryptLeftovers(): void {
    for (const entry of readdirSync(this.dir)) {
      if (entry.endsWith('.tmp')) continue;
      if (startsWithMagic(path.join(this.dir, entry))) continue;
      this.writeAs(entry, readFileSync(path.join(this.dir, entry)));
    }
  }
}

function startsWithMagic(file: string): boolean {
  const head = Buffer.alloc(MAGIC.length);
  const fd = openSync(file, 'r');
  try {
    return readSync(fd, head, 0, MAGIC.length, 0) === MAGIC.length && head.equals(MAGIC);
  } finally {
    closeSync(fd);
  }
}
