// Relay schema 5, single sign-on: logins waiting for the provider's answer (so start and finish may reach different
// relay processes), and each agent's SSO login name and the provider subject first seen for it.
import type Database from 'better-sqlite3';
import type { Migration } from '../../shared/migrations';

export const MIGRATION_5: Migration<Database.Database> = {
  version: 5,
  description: 'pending OpenID logins; agents’ SSO login and bound subject',
  up: (db) => {
    db.exec(`
      -- One row per started login until it is finished (taken once) or expires: the PKCE verifier never leaves the relay.
      CREATE TABLE oidc_logins (
        state TEXT PRIMARY KEY,
        verifier TEXT NOT NULL,
        nonce TEXT NOT NULL,
        redirect_uri TEXT NOT NULL,
        device_id TEXT,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX oidc_logins_by_age ON oidc_logins (created_at);

      -- The agent claim's value that names this agent at the bank's provider (case-insensitive, one agent each), and the
      -- issuer + subject of their first SSO sign-in: a later identity with the same name but another subject is refused.
      ALTER TABLE agents ADD COLUMN sso_login TEXT;
      ALTER TABLE agents ADD COLUMN sso_issuer TEXT;
      ALTER TABLE agents ADD COLUMN sso_subject TEXT;
      CREATE UNIQUE INDEX agents_by_sso_login ON agents (sso_login COLLATE NOCASE) WHERE sso_login IS NOT NULL;
    `);
  },
};
