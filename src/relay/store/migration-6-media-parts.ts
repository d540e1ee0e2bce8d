// Relay schema 6, media parts: media bytes in the database, for relays whose instances share PostgreSQL (the same
// table exists on SQLite, unused there — files stay on disk — so both databases keep one schema).
import type Database from 'better-sqlite3';
import type { Migration } from '../../shared/migrations';
import { MEDIA_PARTS_DDL } from './sql-media-files';

export const MIGRATION_6: Migration<Database.Database> = {
  version: 6,
  description: 'media parts (media bytes kept in the database by relays on PostgreSQL)',
  up: (db) => {
    db.exec(MEDIA_PARTS_DDL.sqlite);
  },
};
