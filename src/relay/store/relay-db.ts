// Opens the relay's SQLite database (WAL, foreign keys, durable commits) and brings its schema up to date.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { makePrivateDir, preparePrivateDatabase, tightenDatabaseFiles } from '../../node-shared/private-files';
import { migrate, type Migration } from '../../shared/migrations';
import { claimUnnumberedConversations, MIGRATION_2 } from './migration-2-identities';
import { MIGRATION_3, registerConfiguredNumber } from './migration-3-teams';
import { MIGRATION_4 } from './migration-4-sessions';
import { MIGRATION_5 } from './migration-5-oidc';
import { MIGRATION_6 } from './migration-6-media-parts';
import { AUDIT_INSERT, auditValues, changeEntry } from './records/audit';
import { SqlRelayStore } from './sql-relay-store';
import { SqliteDatabase } from './sql/sqlite-database';
import { MIGRATION_7 } from './migration-7-upload-limits';
import { MIGRATION_8 } from './migration-8-instances';

export type RelayDatabase = Database.Database;

export const RELAY_MIGRATIONS: readonly Migration<RelayDatabase>[] = [
  {
    version: 1,
    description: 'agents, conversations, messages, event log, outbound queue, media',
    up: (db) => {
      db.exec(`
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

        CREATE TABLE agents (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          token_hash TEXT NOT NULL UNIQUE,
          created_at INTEGER NOT NULL,
          revoked_at INTEGER
        ) STRICT;

        CREATE TABLE devices (
          agent_id TEXT NOT NULL REFERENCES agents(id),
          device_id TEXT NOT NULL,
          acked_seq INTEGER NOT NULL,
          last_seen_at INTEGER NOT NULL,
          PRIMARY KEY (agent_id, device_id)
        ) STRICT;

        CREATE TABLE conversations (
          id TEXT PRIMARY KEY,
          wa_id TEXT NOT NULL UNIQUE,
          customer_name TEXT,
          assigned_agent_id TEXT,
          last_inbound_at INTEGER,
          case_id TEXT,
          read_up_to INTEGER,
          last_message_at INTEGER NOT NULL,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX conversations_by_activity ON conversations (last_message_at DESC, id DESC);

        CREATE TABLE messages (
          id TEXT PRIMARY KEY,
          conversation_id TEXT NOT NULL REFERENCES conversations(id),
          direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
          wamid TEXT UNIQUE,
          content TEXT NOT NULL,
          status TEXT NOT NULL,
          failure TEXT,
          reply_to_id TEXT,
          sender_agent_id TEXT,
          request_hash TEXT,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX messages_by_conversation ON messages (conversation_id, created_at DESC, id DESC);

        -- Statuses for wamids we do not know yet (the send's answer was lost or is still on its way).
        CREATE TABLE orphan_statuses (
          wamid TEXT NOT NULL,
          status TEXT NOT NULL,
          failure TEXT,
          biz_opaque TEXT,
          at INTEGER NOT NULL,
          PRIMARY KEY (wamid, status)
        ) STRICT;

        -- The durable queue to the Graph API. One row per outbound message until WhatsApp answers for it.
        CREATE TABLE outbound_jobs (
          message_id TEXT PRIMARY KEY REFERENCES messages(id),
          conversation_id TEXT NOT NULL,
          queued_seq INTEGER NOT NULL,
          attempts INTEGER NOT NULL DEFAULT 0,
          next_attempt_at INTEGER NOT NULL,
          in_flight_since INTEGER
        ) STRICT;
        CREATE INDEX outbound_jobs_order ON outbound_jobs (conversation_id, queued_seq);

        CREATE TABLE events (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          kind TEXT NOT NULL,
          payload TEXT NOT NULL,
          created_at INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE media (
          id TEXT PRIMARY KEY,
          wa_media_id TEXT,
          origin TEXT NOT NULL CHECK (origin IN ('inbound', 'upload')),
          mime_type TEXT NOT NULL,
          file_name TEXT,
          size INTEGER,
          sha256 TEXT,
          state TEXT NOT NULL CHECK (state IN ('pending', 'ready', 'failed')),
          uploaded_by TEXT,
          created_at INTEGER NOT NULL
        ) STRICT;
        CREATE UNIQUE INDEX media_by_wa_id ON media (wa_media_id) WHERE wa_media_id IS NOT NULL;
      `);
    },
  },
  MIGRATION_2,
  MIGRATION_3,
  MIGRATION_4,
  MIGRATION_5,
  MIGRATION_6,
  MIGRATION_7,
  MIGRATION_8,
];

export interface OpenOptions {
  /**
   * The business number the relay is configured with: conversations stored before schema 2 recorded it are given it,
   * and it is registered in team `main` if no team serves it yet.
   */
  readonly phoneNumberId?: string;
  /** Refuse a folder with no relay.db rather than create one (commands that only read). */
  readonly mustExist?: boolean;
}

/** The data folder cannot be used: a file where the folder should be, or no relay data where some was expected. */
export class RelayDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RelayDataError';
  }
}

export function relayDatabaseFile(dataDir: string): string {
  return path.join(dataDir, 'relay.db');
}

export function openRelayDatabase(dataDir: string, options: OpenOptions = {}): RelayDatabase {
  if (existsSync(dataDir) && !statSync(dataDir).isDirectory()) throw new RelayDataError(`the data folder ${dataDir} is a file, not a folder`);
  const file = relayDatabaseFile(dataDir);
  if (options.mustExist === true && !existsSync(file)) {
    throw new RelayDataError(`there is no relay data in ${dataDir} (no relay.db): check --data, or start the relay there first`);
  }
  // 0700/0600 whatever the umask (docs/security.md); SQLite gives -wal/-shm the database file's mode.
  makePrivateDir(dataDir);
  preparePrivateDatabase(file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  tightenDatabaseFiles(file); // -wal/-shm an older version left 0644 beside the file
  // Anything the relay acknowledges (a webhook 200, a send result) must survive power loss.
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  // Off while migrating: a migration that rebuilds a table others refer to checks foreign_key_check itself.
  db.pragma('foreign_keys = OFF');
  migrate(db, RELAY_MIGRATIONS, 'the Branchline relay');
  db.pragma('foreign_keys = ON');
  if (options.phoneNumberId !== undefined) {
    const { phoneNumberId } = options;
    claimUnnumberedConversations(db, phoneNumberId);
    db.transaction(() => {
      const now = Date.now();
      if (registerConfiguredNumber(db, phoneNumberId, now)) {
        db.prepare(AUDIT_INSERT).run(...auditValues(changeEntry('number.add', phoneNumberId, { actorId: null, source: 'config' }, now, { teamId: 'main' })));
      }
    })();
  }
  return db;
}

/**
 * The relay store on SQLite (one machine, the sandbox): the file opened and migrated as above, behind the SqlDatabase
 * port the records use. `raw` is the same connection, for migrations' tests and the sandbox's own reads.
 */
export function openSqliteRelayStore(dataDir: string, options: OpenOptions = {}): { store: SqlRelayStore; raw: RelayDatabase } {
  const raw = openRelayDatabase(dataDir, options);
  return { store: new SqlRelayStore(new SqliteDatabase(raw)), raw };
}
