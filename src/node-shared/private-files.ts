// Folders 0700 and files 0600 whatever the umask: the console's cache and the relay's data are customers' conversations.
import { chmodSync, closeSync, existsSync, fchmodSync, mkdirSync, openSync, statSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Sets the mode where we may; a file or folder another account owns (an admin command run against the service's data)
 * is left as it is rather than failing the command. Windows has no POSIX modes: there the profile's ACLs apply.
 */
function tighten(target: string, mode: number): void {
  try {
    chmodSync(target, mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'EACCES' && code !== 'EROFS' && code !== 'ENOENT') throw error;
  }
}

/**
 * Makes `dir` (and missing parents) and sets `dir` itself to 0700, also when it already existed with wider rights (a
 * folder an older version made). mkdir's mode is masked by the umask and is ignored for a folder that exists, hence the
 * chmod. Parents are not changed: they may be shared folders (~/.config).
 */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  tighten(dir, PRIVATE_DIR_MODE);
}

/** makePrivateDir for code on the event loop's hot path (the relay's media uploads). */
export async function makePrivateDirAsync(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  try {
    await chmod(dir, PRIVATE_DIR_MODE);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'EACCES' && code !== 'EROFS') throw error;
  }
}

/** Sets an existing file to 0600 (one an older version wrote 0644); a missing file is not an error. */
export function tightenFile(file: string): void {
  tighten(file, PRIVATE_FILE_MODE);
}

/**
 * Creates an SQLite database file empty and 0600 before SQLite opens it, then tightens what an older version left.
 * Why before: SQLite creates a new database 0644 (SQLITE_DEFAULT_FILE_PERMISSIONS, fchmod'ed past the umask), but it
 * creates the -wal, -journal and -shm files with the database file's own mode (unix VFS, findCreateFileMode and
 * unixOpenSharedMemory), also past the umask. So a 0600 database gets 0600 companions with no window and no umask
 * change (process.umask is process-wide and cannot be set from worker threads). An empty file is a valid empty database.
 */
export function preparePrivateDatabase(file: string): void {
  if (!existsSync(file)) {
    const fd = openSync(file, 'a', PRIVATE_FILE_MODE);
    try {
      fchmodSync(fd, PRIVATE_FILE_MODE);
    } finally {
      closeSync(fd);
    }
  }
  tightenDatabaseFiles(file);
}

/** Tightens the database and its companions that exist now; for -wal/-shm an older version created 0644 beside it. */
export function tightenDatabaseFiles(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) tighten(`${file}${suffix}`, PRIVATE_FILE_MODE);
}

/**
 * Whether users other than the owner may read `file` (group or others have the read bit). Always false on Windows,
 * whose stat reports 0666 for every writable file: its rights are ACLs, not mode bits.
 */
export function readableByOthers(file: string, platform: NodeJS.Platform = process.platform): boolean {
  if (platform === 'win32') return false;
  try {
    return (statSync(file).mode & 0o044) !== 0;
  } catch {
    return false; // a missing file is reported by whoever reads it
  }
}
