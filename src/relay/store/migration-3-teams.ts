// Relay schema 3, need-to-know: teams, our numbers per team, agents' roles and teams, each conversation's team, the
// audience of every event, per-agent access versions, and the append-only audit trail. Existing data lands in `main`.
import type Database from 'better-sqlite3';
import type { Migration } from '../../shared/migrations';

/** The team every relay has from its first start: what existed before teams belongs to it. */
export const MAIN_TEAM = { id: 'main', name: 'Main' } as const;

/** The media id a message's content names: the expression messages_by_media indexes (a query must repeat it exactly). */
export const MEDIA_ID_OF_CONTENT = "CASE WHEN json_valid(content) THEN json_extract(content, '$.mediaId') END";

export const MIGRATION_3: Migration<Database.Database> = {
  version: 3,
  description: 'teams, numbers, roles and memberships, conversations and events by team, access versions, the audit trail',
  up: (db) => {
    db.exec(`
      CREATE TABLE teams (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;

      -- Our WhatsApp business numbers: a delivery for a number not listed here is acknowledged and dropped.
      CREATE TABLE numbers (
        phone_number_id TEXT PRIMARY KEY,
        team_id TEXT NOT NULL REFERENCES teams(id),
        display TEXT,
        created_at INTEGER NOT NULL
      ) STRICT;

      -- Bumped whenever what the agent may see or do changes (revoke, rotate, teams, role): live sessions watch it.
      ALTER TABLE agents ADD COLUMN role TEXT NOT NULL DEFAULT 'agent' CHECK (role IN ('agent', 'supervisor', 'admin'));
      ALTER TABLE agents ADD COLUMN access_version INTEGER NOT NULL DEFAULT 1;

      CREATE TABLE agent_teams (
        agent_id TEXT NOT NULL REFERENCES agents(id),
        team_id TEXT NOT NULL REFERENCES teams(id),
        PRIMARY KEY (agent_id, team_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX agent_teams_by_team ON agent_teams (team_id, agent_id);

      -- The agent's access_version when the device last connected: a change since then makes its hello a resync.
      ALTER TABLE devices ADD COLUMN access_version INTEGER;

      -- A new conversation takes its number's team; a supervisor may transfer it later.
      ALTER TABLE conversations ADD COLUMN team_id TEXT NOT NULL DEFAULT '${MAIN_TEAM.id}' REFERENCES teams(id);
      CREATE INDEX conversations_by_team ON conversations (team_id, last_message_at DESC, id DESC);
      CREATE INDEX conversations_by_assignee ON conversations (assigned_agent_id) WHERE assigned_agent_id IS NOT NULL;

      -- Who is told: devices of agents in team_id, except those also in unless_team_id (a transfer's removal must not
      -- reach agents of both teams). Devices read one (team_id, seq) range per team of theirs: no scan of other teams'.
      ALTER TABLE events ADD COLUMN team_id TEXT NOT NULL DEFAULT '${MAIN_TEAM.id}';
      ALTER TABLE events ADD COLUMN unless_team_id TEXT;
      CREATE INDEX events_by_team ON events (team_id, seq);

      -- Which messages show a media file: a download is checked against their conversations' teams. (json_valid first:
      -- a damaged row must stay readable, and refused by the reader, rather than break every write to the table.)
      CREATE INDEX messages_by_media ON messages (${MEDIA_ID_OF_CONTENT}) WHERE ${MEDIA_ID_OF_CONTENT} IS NOT NULL;

      -- Who did what, when and from where. Never a message body, token or phone number in clear.
      CREATE TABLE audit (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        action TEXT NOT NULL,
        actor_id TEXT,
        source TEXT,
        conversation_id TEXT,
        subject_id TEXT,
        detail TEXT
      ) STRICT;
      CREATE INDEX audit_by_actor ON audit (actor_id, seq) WHERE actor_id IS NOT NULL;
      CREATE INDEX audit_by_subject ON audit (subject_id, seq) WHERE subject_id IS NOT NULL;
      CREATE INDEX audit_by_conversation ON audit (conversation_id, seq) WHERE conversation_id IS NOT NULL;
      CREATE INDEX audit_by_time ON audit (at);
      CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
      CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
    `);
    db.prepare('INSERT INTO teams (id, name, created_at) VALUES (?, ?, ?)').run(MAIN_TEAM.id, MAIN_TEAM.name, Date.now());
    db.prepare('INSERT INTO agent_teams (agent_id, team_id) SELECT id, ? FROM agents').run(MAIN_TEAM.id);
    const orphans = db.pragma('foreign_key_check');
    if (Array.isArray(orphans) && orphans.length > 0) throw new Error(`relay migration 3 would leave ${orphans.length} rows dangling; nothing was changed`);
  },
};

/**
 * Registers the business number the relay is configured with (WHATSAPP_PHONE_NUMBER_ID) in team `main` if no team has
 * it yet: what one number served before teams keeps working. Returns whether it was added.
 */
export function registerConfiguredNumber(db: Database.Database, phoneNumberId: string, now: number): boolean {
  return db.prepare('INSERT OR IGNORE INTO numbers (phone_number_id, team_id, created_at) VALUES (?, ?, ?)').run(phoneNumberId, MAIN_TEAM.id, now).changes > 0;
}
