// Opens the sandbox's own SQLite file (ledger, media, webhook outbox) beside the relay's data.
import path from 'node:path';
import Database from 'better-sqlite3';
import { makePrivateDir, preparePrivateDatabase, tightenDatabaseFiles } from '../../node-shared/private-files';
import { migrate, type Migration } from '../../shared/migrations';

export type SandboxDatabase = Database.Database;

export const SANDBOX_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'ledger of accepted sends, mark-reads, media, customers, webhook outbox',
    up: (db) => {
      db.exec(`
        -- Every send the fake Graph API accepted, in arrival order; duplicates are kept on purpose.
        CREATE TABLE ledger (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          wamid TEXT NOT NULL,
          to_wa_id TEXT NOT NULL,
          entry TEXT NOT NULL,
          accepted_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX ledger_by_recipient ON ledger (to_wa_id, seq);

        CREATE TABLE read_receipts (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          wamid TEXT NOT NULL,
          marked_at INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE media (
          id TEXT PRIMARY KEY,
          mime_type TEXT NOT NULL,
          file_name TEXT,
          sha256 TEXT NOT NULL,
          bytes BLOB NOT NULL,
          created_at INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE customers (
          wa_id TEXT PRIMARY KEY,
          name TEXT NOT NULL
        ) STRICT;

        -- Webhooks not yet acknowledged by the relay, with the exact bytes to sign and resend.
        -- due_at is wall time (it must survive a restart); delay_ms bounds it if the wall clock jumped.
        CREATE TABLE outbox (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          kind TEXT NOT NULL,
          chain TEXT,
          body TEXT NOT NULL,
          due_at INTEGER NOT NULL,
          delay_ms INTEGER NOT NULL,
          attempts INTEGER NOT NULL DEFAULT 0,
          created_at INTEGER NOT NULL
        ) STRICT;
      `);
    },
  },
  {
    version: 2,
    description: 'customers by address (phone number or BSUID) with both ids and a username; the ledger keyed by address; groups',
    up: (db) => {
      db.exec(`
        -- How a send names a customer: their phone number, or their BSUID when WhatsApp withholds the number
        -- (a customer known by both has a row for each). wa_id and bsuid are what their webhooks carry.
        CREATE TABLE identities (
          address TEXT PRIMARY KEY,
          wa_id TEXT,
          bsuid TEXT,
          username TEXT,
          name TEXT NOT NULL
        ) STRICT;
        INSERT INTO identities (address, wa_id, name) SELECT wa_id, wa_id, name FROM customers;
        DROP TABLE customers;
        -- A send goes to a phone number, a BSUID or a group id.
        ALTER TABLE ledger RENAME COLUMN to_wa_id TO to_address;
        -- Groups a customer has written in: the business number takes part in these, so it may send to them.
        CREATE TABLE groups (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL) STRICT;
      `);
    },
  },
];

export function openSandboxDatabase(dataDir: string): SandboxDatabase {
  makePrivateDir(dataDir);
  const file = path.join(dataDir, 'sandbox.db');
  preparePrivateDatabase(file); // 0600, and so its -wal/-shm (docs/security.md)
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  tightenDatabaseFiles(file);
  // A crash of the relay process must not lose the ledger or the outbox; power loss is out of scope for a sandbox.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  migrate(db, SANDBOX_MIGRATIONS, 'the Branchline sandbox');
  return db;
}
