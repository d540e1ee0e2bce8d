// PostgreSQL schema 1: the relay's tables as SQLite has them after its migrations 1–5, in PostgreSQL's types.
//
// Mapping: SQLite INTEGER → BIGINT for ms timestamps, seqs and sizes (INTEGER for small counters), AUTOINCREMENT → an
// identity column, JSON stays TEXT, booleans stay INTEGER 0/1, `COLLATE NOCASE` uniqueness → a unique index on
// lower(). Table and column names, NOT NULL, keys, checks and partial unique indexes are SQLite's; pg-schema.test.ts
// compares the two so they cannot drift apart.
export const PG_SCHEMA_1 = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE teams (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE agents (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT,
  role TEXT NOT NULL DEFAULT 'agent' CHECK (role IN ('agent', 'supervisor', 'admin')),
  access_version INTEGER NOT NULL DEFAULT 1,
  sso_login TEXT,
  sso_issuer TEXT,
  sso_subject TEXT
);
-- SQLite: sso_login COLLATE NOCASE. Look logins up with lower(sso_login) = lower(?) so this index serves them.
CREATE UNIQUE INDEX agents_by_sso_login ON agents (lower(sso_login)) WHERE sso_login IS NOT NULL;

CREATE TABLE devices (
  agent_id TEXT NOT NULL REFERENCES agents(id),
  device_id TEXT NOT NULL,
  acked_seq BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  access_version INTEGER,
  PRIMARY KEY (agent_id, device_id)
);

CREATE TABLE agent_teams (
  agent_id TEXT NOT NULL REFERENCES agents(id),
  team_id TEXT NOT NULL REFERENCES teams(id),
  PRIMARY KEY (agent_id, team_id)
);
CREATE INDEX agent_teams_by_team ON agent_teams (team_id, agent_id);

CREATE TABLE numbers (
  phone_number_id TEXT PRIMARY KEY,
  team_id TEXT NOT NULL REFERENCES teams(id),
  display TEXT,
  created_at BIGINT NOT NULL
);

CREATE TABLE customers (
  id TEXT PRIMARY KEY,
  wa_id TEXT UNIQUE,
  bsuid TEXT UNIQUE,
  username TEXT,
  profile_name TEXT,
  marketing_opt_out_at BIGINT,
  marketing_changed_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  CHECK (wa_id IS NOT NULL OR bsuid IS NOT NULL)
);

CREATE TABLE conversations (
  id TEXT PRIMARY KEY,
  phone_number_id TEXT NOT NULL,
  customer_id TEXT REFERENCES customers(id),
  group_id TEXT,
  group_subject TEXT,
  assigned_agent_id TEXT,
  last_inbound_at BIGINT,
  case_id TEXT,
  read_up_to BIGINT,
  last_message_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  team_id TEXT NOT NULL DEFAULT 'main' REFERENCES teams(id),
  CHECK ((customer_id IS NULL) <> (group_id IS NULL))
);
CREATE INDEX conversations_by_activity ON conversations (last_message_at DESC, id DESC);
CREATE UNIQUE INDEX conversations_by_customer ON conversations (phone_number_id, customer_id) WHERE customer_id IS NOT NULL;
CREATE UNIQUE INDEX conversations_by_group ON conversations (phone_number_id, group_id) WHERE group_id IS NOT NULL;
CREATE INDEX conversations_of_customer ON conversations (customer_id) WHERE customer_id IS NOT NULL;
CREATE INDEX conversations_by_team ON conversations (team_id, last_message_at DESC, id DESC);
CREATE INDEX conversations_by_assignee ON conversations (assigned_agent_id) WHERE assigned_agent_id IS NOT NULL;

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
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  author TEXT,
  edited TEXT,
  deleted_at BIGINT
);
CREATE INDEX messages_by_conversation ON messages (conversation_id, created_at DESC, id DESC);

-- Field \`field\` of a JSON text as text; NULL when the text is not a JSON object (SQLite: json_valid + json_extract).
CREATE FUNCTION branchline_json_text(doc TEXT, field TEXT) RETURNS TEXT LANGUAGE plpgsql IMMUTABLE STRICT AS $fn$
BEGIN
  RETURN CASE WHEN json_typeof(doc::json) = 'object' THEN doc::json ->> field END;
EXCEPTION WHEN invalid_text_representation THEN
  RETURN NULL;
END
$fn$;
CREATE INDEX messages_by_media ON messages (branchline_json_text(content, 'mediaId')) WHERE branchline_json_text(content, 'mediaId') IS NOT NULL;

CREATE TABLE message_revisions (
  wamid TEXT PRIMARY KEY,
  target_wamid TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('edit', 'delete')),
  content TEXT,
  at BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX message_revisions_by_target ON message_revisions (target_wamid, at, wamid);

CREATE TABLE orphan_statuses (
  wamid TEXT NOT NULL,
  status TEXT NOT NULL,
  failure TEXT,
  biz_opaque TEXT,
  at BIGINT NOT NULL,
  PRIMARY KEY (wamid, status)
);

CREATE TABLE outbound_jobs (
  message_id TEXT PRIMARY KEY REFERENCES messages(id),
  conversation_id TEXT NOT NULL,
  queued_seq BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  in_flight_since BIGINT
);
CREATE INDEX outbound_jobs_order ON outbound_jobs (conversation_id, queued_seq);

-- Seqs are handed out at insert; the writers' advisory lock (pg-database.ts) makes them commit in that order too.
CREATE TABLE events (
  seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  team_id TEXT NOT NULL DEFAULT 'main',
  unless_team_id TEXT
);
CREATE INDEX events_by_team ON events (team_id, seq);

CREATE TABLE media (
  id TEXT PRIMARY KEY,
  wa_media_id TEXT,
  origin TEXT NOT NULL CHECK (origin IN ('inbound', 'upload')),
  mime_type TEXT NOT NULL,
  file_name TEXT,
  size BIGINT,
  sha256 TEXT,
  state TEXT NOT NULL CHECK (state IN ('pending', 'ready', 'failed')),
  uploaded_by TEXT,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX media_by_wa_id ON media (wa_media_id) WHERE wa_media_id IS NOT NULL;

CREATE TABLE audit (
  seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  at BIGINT NOT NULL,
  action TEXT NOT NULL,
  actor_id TEXT,
  source TEXT,
  conversation_id TEXT,
  subject_id TEXT,
  detail TEXT
);
CREATE INDEX audit_by_actor ON audit (actor_id, seq) WHERE actor_id IS NOT NULL;
CREATE INDEX audit_by_subject ON audit (subject_id, seq) WHERE subject_id IS NOT NULL;
CREATE INDEX audit_by_conversation ON audit (conversation_id, seq) WHERE conversation_id IS NOT NULL;
CREATE INDEX audit_by_time ON audit (at);
CREATE FUNCTION branchline_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'the audit trail is append-only';
END
$fn$;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit FOR EACH ROW EXECUTE FUNCTION branchline_audit_append_only();
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit FOR EACH ROW EXECUTE FUNCTION branchline_audit_append_only();
-- SQLite has no TRUNCATE; here it would empty the trail without a row trigger firing.
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit FOR EACH STATEMENT EXECUTE FUNCTION branchline_audit_append_only();

CREATE TABLE device_sessions (
  family_id TEXT PRIMARY KEY,
  agent_id TEXT NOT NULL REFERENCES agents(id),
  device_id TEXT NOT NULL,
  first_factor TEXT NOT NULL CHECK (first_factor IN ('token', 'oidc')),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  access_expires_at BIGINT NOT NULL,
  revoked_at BIGINT,
  revoked_reason TEXT
);
CREATE INDEX device_sessions_by_agent ON device_sessions (agent_id) WHERE revoked_at IS NULL;

CREATE TABLE session_tokens (
  token_hash TEXT PRIMARY KEY,
  family_id TEXT NOT NULL REFERENCES device_sessions(family_id),
  kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
  issued_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  spent_at BIGINT,
  replaces TEXT,
  used_at BIGINT,
  revoked_at BIGINT
);
CREATE INDEX session_tokens_by_family ON session_tokens (family_id);
CREATE INDEX session_tokens_by_predecessor ON session_tokens (replaces) WHERE replaces IS NOT NULL;

CREATE TABLE oidc_logins (
  state TEXT PRIMARY KEY,
  verifier TEXT NOT NULL,
  nonce TEXT NOT NULL,
  redirect_uri TEXT NOT NULL,
  device_id TEXT,
  created_at BIGINT NOT NULL
);
CREATE INDEX oidc_logins_by_age ON oidc_logins (created_at);
`;
