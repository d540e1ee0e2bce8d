// The console cache's schemas as SQL: schema 1 as it shipped in 0.1, schema 2 (typed tables), and the step to schema 3.

/** Schema 1 (Branchline 0.1): key/value meta and settings, each message twice (columns and a JSON blob), media as BLOBs. */
export const SCHEMA_1 = `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
  CREATE TABLE conversations (
    id TEXT PRIMARY KEY, wa_id TEXT NOT NULL, customer_name TEXT, assigned_agent_id TEXT, read_up_to INTEGER,
    last_message_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, data TEXT NOT NULL
  ) STRICT;
  CREATE INDEX conversations_by_activity ON conversations (last_message_at DESC, id DESC);
  CREATE INDEX conversations_by_wa_id ON conversations (wa_id);
  CREATE TABLE messages (
    id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    status TEXT NOT NULL, created_at INTEGER NOT NULL, hidden INTEGER NOT NULL DEFAULT 0, data TEXT NOT NULL
  ) STRICT;
  CREATE INDEX messages_by_conversation ON messages (conversation_id, created_at DESC, id DESC);
  CREATE TABLE outbox (
    message_id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, position INTEGER NOT NULL UNIQUE, request TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'failed')), attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL DEFAULT 0
  ) STRICT;
  CREATE INDEX outbox_order ON outbox (conversation_id, position);
  CREATE TABLE drafts (conversation_id TEXT PRIMARY KEY, text TEXT NOT NULL, updated_at INTEGER NOT NULL) STRICT;
  CREATE TABLE media_cache (media_id TEXT PRIMARY KEY, mime_type TEXT NOT NULL, file_name TEXT, bytes BLOB NOT NULL, cached_at INTEGER NOT NULL) STRICT;
  CREATE VIRTUAL TABLE search_index USING fts5(
    text, conversation_id UNINDEXED, message_id UNINDEXED, tokenize = 'unicode61 remove_diacritics 2'
  );
`;

/**
 * Schema 2: one typed row per thing. The session (relay, device, agent, cursor) and the agent's settings are single
 * rows; uploads and the template list are tables; a message is stored once (columns, its content as validated JSON);
 * the search index is kept by triggers keyed by rowid; media bytes live in files beside the database.
 */
export const SCHEMA_2 = `
  CREATE TABLE session (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    device_id TEXT NOT NULL,
    relay_url TEXT,
    last_relay_url TEXT,
    agent_id TEXT,
    agent_name TEXT,
    -- The last relay event committed here; NULL until a first sync has finished.
    cursor INTEGER,
    templates_fetched_at INTEGER
  ) STRICT;

  CREATE TABLE user_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    notification_privacy TEXT CHECK (notification_privacy IN ('show', 'hide', 'off')),
    sounds INTEGER CHECK (sounds IN (0, 1)),
    close_to_tray INTEGER CHECK (close_to_tray IN (0, 1)),
    theme TEXT CHECK (theme IN ('system', 'light', 'dark'))
  ) STRICT;

  CREATE TABLE templates (
    name TEXT NOT NULL, language TEXT NOT NULL, category TEXT NOT NULL, body TEXT NOT NULL, parameter_count INTEGER NOT NULL,
    PRIMARY KEY (name, language)
  ) STRICT;

  CREATE TABLE conversations (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    wa_id TEXT NOT NULL,
    customer_name TEXT,
    assigned_agent_id TEXT,
    last_inbound_at INTEGER,
    case_id TEXT,
    read_up_to INTEGER,
    -- The relay's last activity, or a later message saved here: the list's order.
    last_message_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    -- Started here (a message to a WhatsApp id) and not yet named by the relay; never shown as such to the UI.
    local_only INTEGER NOT NULL DEFAULT 0 CHECK (local_only IN (0, 1)),
    search_text TEXT GENERATED ALWAYS AS (coalesce(customer_name, '') || ' ' || wa_id) VIRTUAL
  ) STRICT;
  CREATE INDEX conversations_by_activity ON conversations (last_message_at DESC, id DESC);
  CREATE INDEX conversations_by_wa_id ON conversations (wa_id, local_only);

  -- No foreign key to conversations: the relay may announce a message before its conversation.
  CREATE TABLE messages (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    conversation_id TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    -- MessageContent (src/shared/domain.ts) as JSON, parsed on every read.
    content TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'pending', 'sent', 'failed', 'delivered', 'read')),
    failure_code TEXT,
    failure_message TEXT,
    failure_meta_code INTEGER,
    reply_to_id TEXT,
    sender_agent_id TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    hidden INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
    search_text TEXT NOT NULL DEFAULT ''
  ) STRICT;
  CREATE INDEX messages_by_conversation ON messages (conversation_id, created_at DESC, id DESC);

  CREATE TABLE outbox (
    message_id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    position INTEGER NOT NULL UNIQUE,
    -- The relay request (OutboxRequest) as JSON, validated when it is loaded to be sent.
    request TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0
  ) STRICT;
  CREATE INDEX outbox_order ON outbox (conversation_id, position);

  -- A file queued with a message: uploaded to the relay before the message goes (relay_media_id NULL until then).
  CREATE TABLE uploads (local_media_id TEXT PRIMARY KEY, relay_media_id TEXT, created_at INTEGER NOT NULL) STRICT;

  CREATE TABLE drafts (conversation_id TEXT PRIMARY KEY, text TEXT NOT NULL, updated_at INTEGER NOT NULL) STRICT;

  -- Bytes live in media/<file> beside the database; a row without its file is a cache miss, a file without a row is swept.
  CREATE TABLE media_files (
    media_id TEXT PRIMARY KEY, file TEXT NOT NULL UNIQUE, mime_type TEXT NOT NULL, file_name TEXT, size INTEGER NOT NULL, cached_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX media_files_by_age ON media_files (cached_at);

  -- Search: FTS5 over the tables' own search_text, kept in step by triggers on rowid (never a scan per change).
  CREATE VIRTUAL TABLE message_search USING fts5(
    search_text, content = 'messages', content_rowid = 'pk', tokenize = 'unicode61 remove_diacritics 2'
  );
  CREATE TRIGGER messages_indexed AFTER INSERT ON messages WHEN new.hidden = 0 AND new.search_text <> '' BEGIN
    INSERT INTO message_search (rowid, search_text) VALUES (new.pk, new.search_text);
  END;
  CREATE TRIGGER messages_unindexed AFTER DELETE ON messages WHEN old.hidden = 0 AND old.search_text <> '' BEGIN
    INSERT INTO message_search (message_search, rowid, search_text) VALUES ('delete', old.pk, old.search_text);
  END;
  CREATE TRIGGER messages_reindexed AFTER UPDATE OF search_text, hidden ON messages BEGIN
    INSERT INTO message_search (message_search, rowid, search_text)
      SELECT 'delete', old.pk, old.search_text WHERE old.hidden = 0 AND old.search_text <> '';
    INSERT INTO message_search (rowid, search_text) SELECT new.pk, new.search_text WHERE new.hidden = 0 AND new.search_text <> '';
  END;

  CREATE VIRTUAL TABLE conversation_search USING fts5(
    search_text, content = 'conversations', content_rowid = 'pk', tokenize = 'unicode61 remove_diacritics 2'
  );
  CREATE TRIGGER conversations_indexed AFTER INSERT ON conversations BEGIN
    INSERT INTO conversation_search (rowid, search_text) VALUES (new.pk, new.search_text);
  END;
  CREATE TRIGGER conversations_unindexed AFTER DELETE ON conversations BEGIN
    INSERT INTO conversation_search (conversation_search, rowid, search_text) VALUES ('delete', old.pk, old.search_text);
  END;
  CREATE TRIGGER conversations_reindexed AFTER UPDATE OF customer_name, wa_id ON conversations BEGIN
    INSERT INTO conversation_search (conversation_search, rowid, search_text) VALUES ('delete', old.pk, old.search_text);
    INSERT INTO conversation_search (rowid, search_text) VALUES (new.pk, new.search_text);
  END;
`;

/**
 * Schema 3 (issue 13, WhatsApp as it is in 2026): a customer may have no phone number (a BSUID and perhaps a username
 * instead), a conversation may be a WhatsApp group, and a message may have been edited (earlier versions kept) or
 * written by one participant of a group. SQLite cannot drop NOT NULL in place, so the conversations table is rebuilt
 * (keeping each row's pk, which the search index is keyed by) and the index rebuilt from it.
 */
export const SCHEMA_3 = `
  CREATE TABLE conversations_v3 (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    -- The customer's phone number; NULL when WhatsApp withholds it (then bsuid is set) or for a group.
    wa_id TEXT,
    -- The business-scoped user id, when WhatsApp gave one.
    bsuid TEXT,
    username TEXT,
    customer_name TEXT,
    -- A WhatsApp group: replies go to the group.
    group_id TEXT,
    group_subject TEXT,
    assigned_agent_id TEXT,
    last_inbound_at INTEGER,
    case_id TEXT,
    read_up_to INTEGER,
    last_message_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    local_only INTEGER NOT NULL DEFAULT 0 CHECK (local_only IN (0, 1)),
    search_text TEXT GENERATED ALWAYS AS (
      coalesce(customer_name, '') || ' ' || coalesce(username, '') || ' ' || coalesce(bsuid, '') || ' ' || coalesce(wa_id, '') || ' ' ||
      coalesce(group_subject, '')
    ) VIRTUAL
  ) STRICT;
  INSERT INTO conversations_v3 (pk, id, wa_id, customer_name, assigned_agent_id, last_inbound_at, case_id, read_up_to, last_message_at,
      created_at, updated_at, local_only)
    SELECT pk, id, wa_id, customer_name, assigned_agent_id, last_inbound_at, case_id, read_up_to, last_message_at, created_at, updated_at, local_only
    FROM conversations;
  DROP TABLE conversations;
  ALTER TABLE conversations_v3 RENAME TO conversations;
  CREATE INDEX conversations_by_activity ON conversations (last_message_at DESC, id DESC);
  CREATE INDEX conversations_by_wa_id ON conversations (wa_id, local_only);
  CREATE INDEX conversations_by_bsuid ON conversations (bsuid);

  CREATE TRIGGER conversations_indexed AFTER INSERT ON conversations BEGIN
    INSERT INTO conversation_search (rowid, search_text) VALUES (new.pk, new.search_text);
  END;
  CREATE TRIGGER conversations_unindexed AFTER DELETE ON conversations BEGIN
    INSERT INTO conversation_search (conversation_search, rowid, search_text) VALUES ('delete', old.pk, old.search_text);
  END;
  CREATE TRIGGER conversations_reindexed AFTER UPDATE OF customer_name, wa_id, bsuid, username, group_subject ON conversations BEGIN
    INSERT INTO conversation_search (conversation_search, rowid, search_text) VALUES ('delete', old.pk, old.search_text);
    INSERT INTO conversation_search (rowid, search_text) VALUES (new.pk, new.search_text);
  END;
  INSERT INTO conversation_search (conversation_search) VALUES ('rebuild');

  -- Edited: {at, previous: MessageContent[]} as JSON (earlier versions, oldest first). Author: a Participant as JSON.
  ALTER TABLE messages ADD COLUMN edited TEXT;
  ALTER TABLE messages ADD COLUMN author TEXT;
`;

/**
 * Schema 4 (issue 14, need-to-know): names beside ids (the assignee, the sender of an outbound message), the team that
 * owns a conversation, who is signed in with their role and teams, and the author of queued work: an outbox row is
 * sent only by the agent who queued it. Rows already queued belong to the agent on record. `agent_key` and
 * `author_key` are fingerprints of the token a hello confirmed (or a row was queued under), never the token.
 */
export const SCHEMA_4 = `
  ALTER TABLE conversations ADD COLUMN assigned_agent_name TEXT;
  ALTER TABLE conversations ADD COLUMN team_id TEXT;
  ALTER TABLE conversations ADD COLUMN team_name TEXT;
  ALTER TABLE messages ADD COLUMN sender_name TEXT;

  ALTER TABLE session ADD COLUMN agent_role TEXT CHECK (agent_role IN ('agent', 'supervisor', 'admin'));
  -- The agent's teams as JSON ([{id, name}]), from the relay's hello.
  ALTER TABLE session ADD COLUMN agent_teams TEXT;
  ALTER TABLE session ADD COLUMN agent_key TEXT;

  ALTER TABLE outbox ADD COLUMN author_id TEXT;
  ALTER TABLE outbox ADD COLUMN author_name TEXT;
  -- Only while author_id is NULL (queued before any hello named the token's agent): claimed by that token's first hello.
  ALTER TABLE outbox ADD COLUMN author_key TEXT;
  UPDATE outbox SET author_id = (SELECT agent_id FROM session WHERE id = 1), author_name = (SELECT agent_name FROM session WHERE id = 1);
  UPDATE messages SET sender_agent_id = coalesce(sender_agent_id, (SELECT agent_id FROM session WHERE id = 1)),
      sender_name = (SELECT agent_name FROM session WHERE id = 1)
    WHERE id IN (SELECT message_id FROM outbox) AND (sender_agent_id IS NULL OR sender_agent_id = (SELECT agent_id FROM session WHERE id = 1));
  CREATE INDEX outbox_by_author ON outbox (author_id, conversation_id, position);

  -- directory.get as last fetched by each agent signed in here (names and teams for offline use).
  CREATE TABLE directory (agent_id TEXT PRIMARY KEY, data TEXT NOT NULL, fetched_at INTEGER NOT NULL) STRICT;
`;
