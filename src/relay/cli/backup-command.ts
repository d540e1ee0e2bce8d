// `npm run relay -- backup --out FILE`: a consistent copy of the relay's SQLite database while the relay keeps running.
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { preparePrivateDatabase, tightenDatabaseFiles } from '../../node-shared/private-files';
import { relayDatabaseFile } from '../store/relay-db';
import { EXIT, type Print } from './admin-context';

/**
 * Copies every page in one step of SQLite's online backup (better-sqlite3's `backup`, sqlite3_backup_*): that step
 * reads one snapshot, so the copy holds exactly what was committed when it began. In WAL mode the relay's writers go
 * on meanwhile; a copy made in many small steps would restart each time they commit and might never finish.
 */
const ALL_PAGES = 0x7fffffff;

export async function runBackup(options: { dataDir: string; out: string | undefined }, print: Print, errOut: Print): Promise<number> {
  if (options.out === undefined || options.out === '') {
    errOut('relay: backup needs --out FILE (where to write the copy; a new file, never one that exists)');
    return EXIT.usage;
  }
  const source = relayDatabaseFile(options.dataDir);
  if (!existsSync(source)) {
    errOut(`relay: there is no relay data in ${options.dataDir} (no relay.db): check --data`);
    return EXIT.usage;
  }
  const out = path.resolve(options.out);
  if (existsSync(out)) {
    errOut(`relay: ${out} exists already; a backup never overwrites a file (choose a new name, or move the old one)`);
    return EXIT.failed;
  }
  if (!existsSync(path.dirname(out))) {
    errOut(`relay: the folder ${path.dirname(out)} does not exist`);
    return EXIT.usage;
  }
  // Written beside the target and renamed at the end: a backup cut short never looks like a complete one.
  const partial = `${out}.partial-${process.pid}`;
  // Not openRelayDatabase: a backup must never migrate the live database under a relay of another version.
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    preparePrivateDatabase(partial); // 0600 from the start: the copy holds customers' messages
    const started = new Date();
    await db.backup(partial, { progress: () => ALL_PAGES });
    const facts = checkCopy(partial);
    if (facts.integrity !== 'ok') {
      errOut(`relay: the copy failed SQLite's integrity check (${facts.integrity.slice(0, 200)}); nothing was kept`);
      rmSync(partial, { force: true });
      return EXIT.failed;
    }
    renameSync(partial, out);
    tightenDatabaseFiles(out);
    print(`backup: ${out} (${statSync(out).size} bytes, schema ${facts.schema}, events up to seq ${facts.head}), as committed at ${started.toISOString()}`);
    print(`backup: media files are not in it; copy ${path.join(options.dataDir, 'media')} after it (docs/operations.md)`);
    return EXIT.ok;
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    db.close();
  }
}

/** What the copy holds, read back from the copy itself, made one self-contained file (no -wal beside it to lose). */
function checkCopy(file: string): { integrity: string; schema: number; head: number } {
  const copy = new Database(file, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE'); // the relay turns WAL back on when it opens a restored copy
    const integrity = copy.pragma('integrity_check', { simple: true });
    const schema = copy.pragma('user_version', { simple: true });
    const head = copy.prepare('SELECT coalesce(max(seq), 0) FROM events').pluck().get();
    return { integrity: String(integrity), schema: Number(schema), head: Number(head) };
  } finally {
    copy.close();
  }
}
