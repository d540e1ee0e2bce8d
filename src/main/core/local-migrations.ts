// Every schema the console's cache has had, oldest first: applied in order by migrate() when the cache is opened.
import type Database from 'better-sqlite3';
import type { Migration } from '../../shared/migrations';
import { migrateToTypedTables } from './local-migration-v2';
import { SCHEMA_1, SCHEMA_3, SCHEMA_4 } from './local-schema';

/** Every schema the console has had, oldest first; `mediaDir` is where schema 2 moves media bytes to. */
export function localMigrations(mediaDir: string): readonly Migration<Database.Database>[] {
  return [
    { version: 1, description: 'conversations, messages, outbox, drafts, settings, media cache, search index', up: (db) => db.exec(SCHEMA_1) },
    {
      version: 2,
      description: 'typed session, settings, uploads and templates; one row per message; search by triggers; media as files',
      up: (db) => migrateToTypedTables(db, mediaDir),
    },
    {
      version: 3,
      description: 'customers by phone number, BSUID or both, with usernames; group conversations; edited messages and group authors',
      up: (db) => db.exec(SCHEMA_3),
    },
    {
      version: 4,
      description: 'need-to-know: assignee and sender names, conversation teams, role and teams of who is signed in, queued work by author, directory',
      up: (db) => db.exec(SCHEMA_4),
    },
  ];
}
