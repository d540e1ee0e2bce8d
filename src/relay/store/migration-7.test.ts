// Schema 7 over a database schema 5 wrote, with uploads in it: they count against the quota and expire like new ones,
// each through an index rather than a scan of media or messages.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openRelayDatabase, RELAY_MIGRATIONS, type RelayDatabase } from './relay-db';
import { expiredUploadsSql, UPLOAD_USAGE_SQL } from './records/media';
import { SqlRelayStore } from './sql-relay-store';
import { SQLITE_DIALECT, SqliteDatabase } from './sql/sqlite-database';

const T0 = Date.UTC(2026, 3, 1, 9);
const HOUR = 3_600_000;

let opened: SqlRelayStore | null = null;
afterEach(async () => {
  await opened?.close();
  opened = null;
});

/** Schema 5 with ana's uploads: one sent in a message, one never sent (both old), one recent; and an inbound photo. */
function schema5Folder(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'branchline-mig7-'));
  const db = new Database(path.join(dir, 'relay.db'));
  db.pragma('foreign_keys = OFF');
  for (const migration of RELAY_MIGRATIONS.slice(0, 5)) migration.up(db);
  db.pragma('user_version = 5');
  const upload = db.prepare(
    "INSERT INTO media (id, origin, mime_type, file_name, size, sha256, state, uploaded_by, created_at) VALUES (?, 'upload', 'application/pdf', 'f.pdf', ?, 'x', 'ready', 'ana', ?)",
  );
  upload.run('up-sent', 100, T0);
  upload.run('up-unsent', 200, T0 + 1);
  upload.run('up-recent', 400, T0 + 30 * HOUR);
  db.prepare("INSERT INTO media (id, wa_media_id, origin, mime_type, state, created_at) VALUES ('in-1', 'wa-1', 'inbound', 'image/jpeg', 'ready', ?)").run(T0);
  db.prepare(
    "INSERT INTO messages (id, conversation_id, direction, content, status, created_at, updated_at) VALUES ('m-1', 'conv-1', 'out', ?, 'sent', ?, ?)",
  ).run(JSON.stringify({ type: 'document', mediaId: 'up-sent', mimeType: 'application/pdf' }), T0, T0);
  db.close();
  return dir;
}

const plan = (db: RelayDatabase, sql: string, ...params: unknown[]): string =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(' | ');

describe('relay schemas 6 and 7 over a schema-5 database', () => {
  it('counts the uploads already there against the quota, and expires only the old one no message names', async () => {
    const db = openRelayDatabase(schema5Folder());
    opened = new SqlRelayStore(new SqliteDatabase(db));
    expect(db.pragma('user_version', { simple: true })).toBe(RELAY_MIGRATIONS.length);
    expect(await opened.uploadUsage('ana', T0)).toEqual({ files: 3, bytes: 700, oldestAt: T0 });
    expect(await opened.uploadUsage('ana', T0 + HOUR)).toEqual({ files: 1, bytes: 400, oldestAt: T0 + 30 * HOUR });
    expect(await opened.uploadUsage('ben', T0)).toEqual({ files: 0, bytes: 0, oldestAt: null });
    expect(await opened.expireUploads(T0 + 24 * HOUR, 10)).toEqual(['up-unsent']);
    expect(await opened.getMedia('up-sent')).not.toBeNull();
    expect(await opened.getMedia('in-1')).not.toBeNull();
    expect(await opened.expireUploads(T0 + 24 * HOUR, 10)).toEqual([]);
  });

  it('reads an agent’s uploads as one index range, and looks each candidate up in messages_by_media', () => {
    const db = openRelayDatabase(schema5Folder());
    opened = new SqlRelayStore(new SqliteDatabase(db));
    expect(plan(db, UPLOAD_USAGE_SQL, 'ana', T0)).toContain('SEARCH media USING INDEX media_uploads_by_agent (uploaded_by=? AND created_at>?)');
    const expiry = plan(db, expiredUploadsSql(SQLITE_DIALECT), T0, 10);
    expect(expiry).toContain('media_uploads_by_agent');
    expect(expiry).toContain('SEARCH messages USING COVERING INDEX messages_by_media');
  });
});
