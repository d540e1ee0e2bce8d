// Media bytes the console keeps (files the agent opened or queued), as private files beside the database.
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makePrivateDir } from '../../node-shared/private-files';

/** Files are named by a random id, never by anything the relay or a customer chose (a media id may hold ':' or '..'). */
export class MediaFiles {
  constructor(readonly dir: string) {
    makePrivateDir(dir);
  }

  /** Writes the bytes whole (a temporary name, then a rename) and returns the file's name. */
  write(bytes: Uint8Array): string {
    const file = `${randomUUID()}.bin`;
    const temporary = path.join(this.dir, `${file}.tmp`);
    writeFileSync(temporary, bytes, { mode: 0o600 });
    renameSync(temporary, path.join(this.dir, file));
    return file;
  }

  /** The bytes, or null when the file is gone (deleted by hand, or a crash before the row was written). */
  read(file: string): Buffer | null {
    try {
      return readFileSync(path.join(this.dir, path.basename(file)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
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
}
