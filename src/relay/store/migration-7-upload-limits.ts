// Relay schema 7, upload limits: agents' uploads by uploader and age, so each upload's quota check is one index range.
import type Database from 'better-sqlite3';
import type { Migration } from '../../shared/migrations';

export const MIGRATION_7: Migration<Database.Database> = {
  version: 7,
  description: 'agents’ uploads by uploader and age (upload quotas, expiry of uploads never sent)',
  up: (db) => {
    db.exec(`
      -- Partial: inbound media (most rows) never enters it. The quota reads one agent's range from a time; the expiry
      -- sweep walks this index rather than the whole table.
      CREATE INDEX media_uploads_by_agent ON media (uploaded_by, created_at) WHERE origin = 'upload';
    `);
  },
};
