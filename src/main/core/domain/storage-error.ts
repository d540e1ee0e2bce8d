// SQLite's "disk full" and "cannot write here" as the codes the UI has words for (storage_full, storage_readonly).

export interface StorageError {
  code: 'storage_full' | 'storage_readonly';
  message: string;
}

/** The storage problem behind an exception from better-sqlite3, or null when it is something else. */
export function storageErrorOf(error: unknown): StorageError | null {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return null;
  if (code === 'SQLITE_FULL') return { code: 'storage_full', message: 'The disk is full: nothing was saved. Free some space, then try again.' };
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM') {
    return { code: 'storage_readonly', message: 'Branchline cannot write to its data folder: nothing was saved.' };
  }
  return null;
}
