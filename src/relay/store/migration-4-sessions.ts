// Relay schema 4, device sessions: one row per sign-in (its family), bound to a device, with an absolute end; its
// access and refresh tokens kept only as SHA-256 hashes, a refresh token marked spent when used and linked to its successors.
import type Database from 'better-sqlite3';
import type { Migration } from '../../shared/migrations';

export const MIGRATION_4: Migration<Database.Database> = {
  version: 4,
  description: 'device sessions and their access and refresh tokens (hashes only)',
  up: (db) => {
    db.exec(`
      CREATE TABLE device_sessions (
        family_id TEXT PRIMARY KEY,
        agent_id TEXT NOT NULL REFERENCES agents(id),
        device_id TEXT NOT NULL,
        first_factor TEXT NOT NULL CHECK (first_factor IN ('token', 'oidc')),
        created_at INTEGER NOT NULL,
        -- The absolute end (auth.maxSessionHours after sign-in), however often the session is refreshed.
        expires_at INTEGER NOT NULL,
        -- When the newest access token expires: a live socket past it without a refresh is closed.
        access_expires_at INTEGER NOT NULL,
        revoked_at INTEGER,
        revoked_reason TEXT
      ) STRICT;
      CREATE INDEX device_sessions_by_agent ON device_sessions (agent_id) WHERE revoked_at IS NULL;

      CREATE TABLE session_tokens (
        token_hash TEXT PRIMARY KEY,
        family_id TEXT NOT NULL REFERENCES device_sessions(family_id),
        kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
        issued_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        -- A refresh token is good for one refresh: presenting it again revokes the family, unless it is a retry of a
        -- refresh whose answer was lost (same device, within the grace, its successors never used).
        spent_at INTEGER,
        -- The refresh token whose use issued this token (null for a sign-in's first pair): a retry finds its successors.
        replaces TEXT,
        -- When an access token was first presented: a successor that was used rules out a retry.
        used_at INTEGER,
        -- A successor replaced by a retry: it stops working, and its refresh token presented later is a reuse.
        revoked_at INTEGER
      ) STRICT;
      CREATE INDEX session_tokens_by_family ON session_tokens (family_id);
      CREATE INDEX session_tokens_by_predecessor ON session_tokens (replaces) WHERE replaces IS NOT NULL;
    `);
  },
};
