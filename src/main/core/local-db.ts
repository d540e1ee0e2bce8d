// Opens the console's SQLite cache (WAL, migrations) — the file that must never lose what the agent typed.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrate, type Migration } from '../../shared/migrations';

export type LocalDatabase = Database.Database;

export const LOCAL_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'conversations, messages, outbox, drafts, settings, media cache, search index',
    up: (db) => {
      db.exec(`
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

        CREATE TABLE conversations (
          id TEXT PRIMARY KEY,
          wa_id TEXT NOT NULL,
          customer_name TEXT,
          assigned_agent_id TEXT,
          read_up_to INTEGER,
          last_message_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          data TEXT NOT NULL
        ) STRICT;
        CREATE INDEX conversations_by_activity ON conversations (last_message_at DESC, id DESC);
        CREATE INDEX conversations_by_wa_id ON conversations (wa_id);

        -- No foreign key to conversations: the relay may announce a message before its conversation.
        CREATE TABLE messages (
          id TEXT PRIMARY KEY,
          conversation_id TEXT NOT NULL,
          direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
          status TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          hidden INTEGER NOT NULL DEFAULT 0,
          data TEXT NOT NULL
        ) STRICT;
        CREATE INDEX messages_by_conversation ON messages (conversation_id, created_at DESC, id DESC);

        -- What the relay has not taken yet. Written in the same transaction as the message itself.
        CREATE TABLE outbox (
          message_id TEXT PRIMARY KEY,
          conversation_id TEXT NOT NULL,
          position INTEGER NOT NULL UNIQUE,
          request TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('queued', 'failed')),
          attempts INTEGER NOT NULL DEFAULT 0,
          next_attempt_at INTEGER NOT NULL DEFAULT 0
        ) STRICT;
        CREATE INDEX outbox_order ON outbox (conversation_id, position);

        CREATE TABLE drafts (conversation_id TEXT PRIMARY KEY, text TEXT NOT NULL, updated_at INTEGER NOT NULL) STRICT;

        CREATE TABLE media_cache (
          media_id TEXT PRIMARY KEY,
          mime_type TEXT NOT NULL,
          file_name TEXT,
          bytes BLOB NOT NULL,
          cached_at INTEGER NOT NULL
        ) STRICT;

        -- Message text, captions, file names, customer names and numbers; message_id is NULL for a conversation's own entry.
        CREATE VIRTUAL TABLE search_index USING fts5(
          text, conversation_id UNINDEXED, message_id UNINDEXED, tokenize = 'unicode61 remove_diacritics 2'
        );
      `);
    },
  },
];

export interface OpenLocalDatabaseOptions {
  /** better-sqlite3's native binding built for Electron's ABI (see docs/development.md); omit under Node. */
  nativeBinding?: string;
}

export function openLocalDatabase(dataDir: string, options: OpenLocalDatabaseOptions = {}): LocalDatabase {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(path.join(dataDir, 'console.db'), options.nativeBinding !== undefined ? { nativeBinding: options.nativeBinding } : {});
  try {
    db.pragma('journal_mode = WAL');
    // NORMAL is durable across application crashes in WAL mode; the commits that must also survive
    // power loss (a message the agent pressed Send on) raise it to FULL for their transaction.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, LOCAL_MIGRATIONS, 'Branchline');
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
