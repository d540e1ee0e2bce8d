// Relay schema 2: customers as WhatsApp identifies them since 2026 (phone number, BSUID or both), conversations per
// business number and customer or group, and what edits and deletions need; moves schema-1 data without loss.
import type Database from 'better-sqlite3';
import type { Migration } from '../../shared/migrations';

/**
 * The phone_number_id of conversations written before the relay recorded it. They all belong to the one number the
 * relay served then; `claimUnnumberedConversations` gives them that number once the relay knows it (at start).
 */
export const UNNUMBERED = '';

export const MIGRATION_2: Migration<Database.Database> = {
  version: 2,
  description: 'customers by phone number and/or BSUID, conversations per business number and customer or group, edits and deletions',
  up: (db) => {
    // Rebuilding `conversations` (its wa_id was NOT NULL UNIQUE) drops a table that messages refer to: SQLite allows
    // that only with foreign keys off, which openRelayDatabase arranges; the check below proves nothing was orphaned.
    if (Number(db.pragma('foreign_keys', { simple: true })) !== 0) {
      throw new Error('relay migration 2 rebuilds conversations and must run with foreign_keys OFF (openRelayDatabase does this)');
    }
    db.exec(`
      CREATE TABLE customers (
        id TEXT PRIMARY KEY,
        wa_id TEXT UNIQUE,
        bsuid TEXT UNIQUE,
        username TEXT,
        profile_name TEXT,
        -- When the customer asked WhatsApp to stop marketing messages; null when they did not, or resumed since.
        marketing_opt_out_at INTEGER,
        -- When they last changed that preference: a late, older notice never undoes a newer one.
        marketing_changed_at INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        CHECK (wa_id IS NOT NULL OR bsuid IS NOT NULL)
      ) STRICT;

      -- Each schema-1 conversation was one customer, known by phone number: the customer takes the conversation's id.
      INSERT INTO customers (id, wa_id, profile_name, created_at, updated_at)
        SELECT id, wa_id, customer_name, created_at, updated_at FROM conversations;

      CREATE TABLE conversations_v2 (
        id TEXT PRIMARY KEY,
        phone_number_id TEXT NOT NULL,
        customer_id TEXT REFERENCES customers(id),
        group_id TEXT,
        group_subject TEXT,
        assigned_agent_id TEXT,
        last_inbound_at INTEGER,
        case_id TEXT,
        read_up_to INTEGER,
        last_message_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        -- A conversation is with one customer, or in one WhatsApp group (whose "customer" has no id at all).
        CHECK ((customer_id IS NULL) <> (group_id IS NULL))
      ) STRICT;
      INSERT INTO conversations_v2
        (id, phone_number_id, customer_id, assigned_agent_id, last_inbound_at, case_id, read_up_to, last_message_at, created_at, updated_at)
        SELECT id, '${UNNUMBERED}', id, assigned_agent_id, last_inbound_at, case_id, read_up_to, last_message_at, created_at, updated_at
        FROM conversations;
      DROP TABLE conversations;
      ALTER TABLE conversations_v2 RENAME TO conversations;
      CREATE INDEX conversations_by_activity ON conversations (last_message_at DESC, id DESC);
      CREATE UNIQUE INDEX conversations_by_customer ON conversations (phone_number_id, customer_id) WHERE customer_id IS NOT NULL;
      CREATE UNIQUE INDEX conversations_by_group ON conversations (phone_number_id, group_id) WHERE group_id IS NOT NULL;
      CREATE INDEX conversations_of_customer ON conversations (customer_id) WHERE customer_id IS NOT NULL;

      -- Who wrote it in a group (a Participant); the customer's edits ({at, previous}); when the customer deleted it
      -- (the content stays here for the archive; agents are shown {type: 'deleted'}).
      ALTER TABLE messages ADD COLUMN author TEXT;
      ALTER TABLE messages ADD COLUMN edited TEXT;
      ALTER TABLE messages ADD COLUMN deleted_at INTEGER;

      -- Every edit and deletion WhatsApp reported, kept even before the message it changes has arrived (webhooks come
      -- out of order); applied, in the customer's order, whenever that message is there.
      CREATE TABLE message_revisions (
        wamid TEXT PRIMARY KEY,
        target_wamid TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('edit', 'delete')),
        content TEXT,
        at INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX message_revisions_by_target ON message_revisions (target_wamid, at, wamid);
    `);
    const orphans = db.pragma('foreign_key_check');
    if (Array.isArray(orphans) && orphans.length > 0) throw new Error(`relay migration 2 would orphan ${orphans.length} rows; nothing was changed`);
  },
};

/** Gives the conversations written before schema 2 the business number the relay serves (idempotent). */
export function claimUnnumberedConversations(db: Database.Database, phoneNumberId: string): number {
  return db.prepare('UPDATE conversations SET phone_number_id = ? WHERE phone_number_id = ?').run(phoneNumberId, UNNUMBERED).changes;
}
