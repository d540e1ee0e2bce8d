// Schema 1 → 2: moves every row of the first schema into typed tables, and media BLOBs into files. Nothing is lost:
// a row that does not parse aborts the migration (the transaction rolls back and the file stays as it was).
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { Conversation, Message, Template } from '../../shared/domain';
import { uuidv7 } from '../../shared/uuidv7';
import { searchTextOf } from './domain/message-text';
import { MediaFiles } from './media-files';
import { SCHEMA_2 } from './local-schema';

const V1_TABLES = ['conversations', 'messages', 'outbox', 'drafts', 'media_cache'] as const;
const V1_INDEXES = ['conversations_by_activity', 'conversations_by_wa_id', 'messages_by_conversation', 'outbox_order'] as const;
const AgentJson = z.object({ id: z.string(), name: z.string() });
const UploadRequest = z.object({ content: z.object({ mediaId: z.string().optional() }) });

export function migrateToTypedTables(db: Database.Database, mediaDir: string): void {
  for (const index of V1_INDEXES) db.exec(`DROP INDEX IF EXISTS ${index}`);
  for (const table of V1_TABLES) db.exec(`ALTER TABLE ${table} RENAME TO v1_${table}`);
  db.exec('DROP TABLE search_index');
  db.exec(SCHEMA_2);

  const meta = new Map(
    db
      .prepare<[], { key: string; value: string }>('SELECT key, value FROM meta')
      .all()
      .map((r) => [r.key, r.value]),
  );
  const settings = new Map(
    db
      .prepare<[], { key: string; value: string }>('SELECT key, value FROM settings')
      .all()
      .map((r) => [r.key, JSON.parse(r.value) as unknown]),
  );

  const agent = meta.has('agent') ? AgentJson.parse(JSON.parse(meta.get('agent')!)) : null;
  const seq = meta.get('seq');
  db.prepare(
    'INSERT INTO session (id, device_id, relay_url, last_relay_url, agent_id, agent_name, cursor) VALUES (1, @device, @relay, @last, @agentId, @agentName, @cursor)',
  ).run({
    device: meta.get('device_id') ?? uuidv7(),
    relay: meta.get('relay_url') ?? null,
    last: meta.get('last_relay_url') ?? null,
    agentId: agent?.id ?? null,
    agentName: agent?.name ?? null,
    cursor: seq === undefined ? null : Number(seq),
  });

  const user = (key: string) => settings.get(`user.${key}`);
  const flag = (value: unknown) => (typeof value === 'boolean' ? Number(value) : null);
  const choice = (value: unknown, allowed: readonly string[]) => (typeof value === 'string' && allowed.includes(value) ? value : null);
  db.prepare('INSERT INTO user_settings (id, notification_privacy, sounds, close_to_tray, theme) VALUES (1, ?, ?, ?, ?)').run(
    choice(user('notificationPrivacy'), ['show', 'hide', 'off']),
    flag(user('sounds')),
    flag(user('closeToTray')),
    choice(user('theme'), ['system', 'light', 'dark']),
  );
  // The template list is a cache of the relay's: an entry that does not parse is fetched again, not kept.
  const templates = z.array(Template).safeParse(settings.get('cache.templates'));
  const insertTemplate = db.prepare('INSERT OR REPLACE INTO templates (name, language, category, body, parameter_count) VALUES (?, ?, ?, ?, ?)');
  for (const t of templates.success ? templates.data : []) insertTemplate.run(t.name, t.language, t.category, t.body, t.parameterCount);
  if (templates.success) db.prepare('UPDATE session SET templates_fetched_at = 0 WHERE id = 1').run();

  // Conversations started here were named "pending:<wa_id>"; they get an opaque id and a flag instead.
  const renamed = new Map<string, string>();
  const insertConversation = db.prepare(
    `INSERT INTO conversations (id, wa_id, customer_name, assigned_agent_id, last_inbound_at, case_id, read_up_to, last_message_at, created_at, updated_at, local_only)
     VALUES (@id, @waId, @name, @assigned, @lastInboundAt, @caseId, @readUpTo, @lastMessageAt, @createdAt, @updatedAt, @localOnly)`,
  );
  for (const row of db.prepare<[], { id: string; data: string; last_message_at: number }>('SELECT id, data, last_message_at FROM v1_conversations').all()) {
    const c = Conversation.parse(JSON.parse(row.data));
    const localOnly = row.id.startsWith('pending:');
    const id = localOnly ? uuidv7() : c.id;
    if (localOnly) renamed.set(row.id, id);
    insertConversation.run({
      id,
      waId: c.customer.waId,
      name: c.customer.name,
      assigned: c.assignedAgentId,
      lastInboundAt: c.lastInboundAt,
      caseId: c.caseId,
      readUpTo: c.readUpTo,
      lastMessageAt: Math.max(row.last_message_at, c.lastMessageAt ?? c.createdAt),
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
      localOnly: localOnly ? 1 : 0,
    });
  }
  const conversationId = (id: string) => renamed.get(id) ?? id;

  const insertMessage = db.prepare(
    `INSERT INTO messages (id, conversation_id, direction, content, status, failure_code, failure_message, failure_meta_code, reply_to_id,
       sender_agent_id, created_at, updated_at, hidden, search_text)
     VALUES (@id, @conversationId, @direction, @content, @status, @failureCode, @failureMessage, @failureMetaCode, @replyToId,
       @senderAgentId, @createdAt, @updatedAt, @hidden, @searchText)`,
  );
  for (const row of db.prepare<[], { data: string; hidden: number; conversation_id: string }>('SELECT data, hidden, conversation_id FROM v1_messages').all()) {
    const m = Message.parse(JSON.parse(row.data));
    insertMessage.run({
      id: m.id,
      // The column was the truth for where a message lived (the JSON copy drifted when a placeholder was adopted).
      conversationId: conversationId(row.conversation_id),
      direction: m.direction,
      content: JSON.stringify(m.content),
      status: m.status,
      failureCode: m.failure?.code ?? null,
      failureMessage: m.failure?.message ?? null,
      failureMetaCode: m.failure?.metaCode ?? null,
      replyToId: m.replyToId,
      senderAgentId: m.senderAgentId,
      createdAt: m.createdAt,
      updatedAt: m.updatedAt,
      hidden: row.hidden === 0 ? 0 : 1,
      searchText: searchTextOf(m.content),
    });
  }

  const outbox = db.prepare<
    [],
    { message_id: string; conversation_id: string; position: number; request: string; state: string; attempts: number; next_attempt_at: number }
  >('SELECT * FROM v1_outbox');
  const insertOutbox = db.prepare(
    'INSERT INTO outbox (message_id, conversation_id, position, request, state, attempts, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const insertUpload = db.prepare('INSERT OR IGNORE INTO uploads (local_media_id, relay_media_id, created_at) VALUES (?, ?, ?)');
  for (const row of outbox.all()) {
    insertOutbox.run(row.message_id, conversationId(row.conversation_id), row.position, row.request, row.state, row.attempts, row.next_attempt_at);
    // v1 kept upload state forever under meta 'upload:<id>'; only uploads a queued message still needs survive.
    const mediaId = UploadRequest.safeParse(JSON.parse(row.request)).data?.content.mediaId;
    const state = mediaId === undefined ? undefined : meta.get(`upload:${mediaId}`);
    if (mediaId !== undefined && state !== undefined) insertUpload.run(mediaId, state === 'pending' ? null : state, 0);
  }

  db.prepare('INSERT INTO drafts (conversation_id, text, updated_at) SELECT conversation_id, text, updated_at FROM v1_drafts').run();
  for (const [from, to] of renamed) db.prepare('UPDATE drafts SET conversation_id = ? WHERE conversation_id = ?').run(to, from);

  const files = new MediaFiles(mediaDir);
  const insertFile = db.prepare('INSERT INTO media_files (media_id, file, mime_type, file_name, size, cached_at) VALUES (?, ?, ?, ?, ?, ?)');
  // One BLOB at a time: a cache of statements and ID photos can be larger than memory should hold at once.
  const nextBlob = db.prepare<[string], { media_id: string; mime_type: string; file_name: string | null; bytes: Buffer; cached_at: number }>(
    'SELECT * FROM v1_media_cache WHERE media_id > ? ORDER BY media_id LIMIT 1',
  );
  for (let row = nextBlob.get(''); row !== undefined; row = nextBlob.get(row.media_id)) {
    insertFile.run(row.media_id, files.write(row.bytes), row.mime_type, row.file_name, row.bytes.length, row.cached_at);
  }

  for (const table of V1_TABLES) db.exec(`DROP TABLE v1_${table}`);
  db.exec('DROP TABLE meta; DROP TABLE settings;');
}
