// Media records: uploads from agents, and inbound media waiting to be fetched from WhatsApp.
import { z } from 'zod';
import { uuidv7 } from '../../../shared/uuidv7';
import type { SqlDatabase, SqlDialect } from '../sql/sql-database';
import type { MediaAccess, MediaRecord } from '../relay-store';
import { parseRow, parseRows } from '../../../node-shared/stored-row';
import { MediaRow, toMediaRecord } from './rows';

const PendingRow = z.object({ id: z.string().min(1), wa_media_id: z.string().min(1) });
const MediaId = z.object({ id: z.string().min(1) });
const Uploader = z.object({ uploaded_by: z.string().nullable() });
const Shown = z.object({ conversation_id: z.string().min(1), team_id: z.string().min(1) });
const Usage = z.object({ files: z.number().int(), bytes: z.number().int(), oldest_at: z.number().int().nullable() });

/** An agent's uploads from a time on (index media_uploads_by_agent): the upload quota's one index range. */
export const UPLOAD_USAGE_SQL = `SELECT CAST(count(*) AS BIGINT) AS files, CAST(coalesce(sum(size), 0) AS BIGINT) AS bytes, min(created_at) AS oldest_at
  FROM media WHERE origin = 'upload' AND uploaded_by = ? AND created_at >= ?`;

/**
 * Uploads made before a time that no message names, each looked up in messages_by_media. On SQLite `+media.id` drops
 * the column's affinity so the comparison can use that expression index rather than scan messages; PostgreSQL has no
 * unary plus on text and needs none.
 */
export function expiredUploadsSql(dialect: SqlDialect): string {
  const id = dialect.name === 'sqlite' ? '+media.id' : 'media.id';
  return `SELECT id FROM media WHERE origin = 'upload' AND created_at < ?
  AND NOT EXISTS (SELECT 1 FROM messages WHERE ${dialect.jsonText('content', 'mediaId')} = ${id}) LIMIT ?`;
}

export interface UploadedMedia {
  id: string;
  mimeType: string;
  fileName: string;
  size: number;
  sha256: string;
  uploadedBy: string;
  now: number;
}

export class MediaRecords {
  constructor(private readonly db: SqlDatabase) {}

  async createUploaded(m: UploadedMedia): Promise<void> {
    await this.db.run(
      "INSERT INTO media (id, origin, mime_type, file_name, size, sha256, state, uploaded_by, created_at) VALUES (?, 'upload', ?, ?, ?, ?, 'ready', ?, ?)",
      [m.id, m.mimeType, m.fileName, m.size, m.sha256, m.uploadedBy, m.now],
    );
  }

  /**
   * The relay's id for a WhatsApp media id, recording it as pending the first time it is seen.
   * `created` says whether it is new (and so still to be fetched).
   */
  async inboundMediaId(
    media: { waMediaId: string; mimeType: string; fileName?: string; sha256?: string },
    now: number,
  ): Promise<{ mediaId: string; created: boolean }> {
    const known = await this.db.get('SELECT id FROM media WHERE wa_media_id = ?', [media.waMediaId]);
    if (known !== undefined) return { mediaId: parseRow('media', MediaId, known).id, created: false };
    const mediaId = uuidv7();
    await this.db.run(
      "INSERT INTO media (id, wa_media_id, origin, mime_type, file_name, sha256, state, created_at) VALUES (?, ?, 'inbound', ?, ?, ?, 'pending', ?)",
      [mediaId, media.waMediaId, media.mimeType, media.fileName ?? null, media.sha256 ?? null, now],
    );
    return { mediaId, created: true };
  }

  async get(id: string): Promise<MediaRecord | null> {
    const row = await this.db.get('SELECT * FROM media WHERE id = ?', [id]);
    return row === undefined ? null : toMediaRecord(parseRow('media', MediaRow, row));
  }

  async setState(id: string, state: 'ready' | 'failed', details?: { size: number; sha256: string; mimeType: string }): Promise<void> {
    await this.db.run('UPDATE media SET state = ?, size = coalesce(?, size), sha256 = coalesce(?, sha256), mime_type = coalesce(?, mime_type) WHERE id = ?', [
      state,
      details?.size ?? null,
      details?.sha256 ?? null,
      details?.mimeType ?? null,
      id,
    ]);
  }

  async setWaId(id: string, waMediaId: string): Promise<void> {
    await this.db.run('UPDATE media SET wa_media_id = ? WHERE id = ?', [waMediaId, id]);
  }

  /** Its uploader and the conversations (with their teams) whose messages show it: through messages_by_media, no scan. */
  async access(id: string): Promise<MediaAccess | null> {
    const media = await this.db.get('SELECT uploaded_by FROM media WHERE id = ?', [id]);
    if (media === undefined) return null;
    // The same expression as the index messages_by_media, so the database uses it.
    const raw = await this.db.all(
      `SELECT DISTINCT m.conversation_id, c.team_id FROM messages m JOIN conversations c ON c.id = m.conversation_id
       WHERE ${this.db.dialect.jsonText('content', 'mediaId')} = ? ORDER BY m.conversation_id`,
      [id],
    );
    const shown = parseRows('messages', Shown, raw);
    return {
      uploadedBy: parseRow('media', Uploader, media).uploaded_by,
      conversationIds: [...new Set(shown.map((s) => s.conversation_id))],
      teamIds: [...new Set(shown.map((s) => s.team_id))],
    };
  }

  async pendingInbound(limit: number): Promise<{ mediaId: string; waMediaId: string }[]> {
    // Snake-case columns (PostgreSQL folds unquoted aliases to lower case), renamed here.
    const rows = await this.db.all("SELECT id, wa_media_id FROM media WHERE origin = 'inbound' AND state = 'pending' AND wa_media_id IS NOT NULL LIMIT ?", [
      limit,
    ]);
    return parseRows('media', PendingRow, rows).map((r) => ({ mediaId: r.id, waMediaId: r.wa_media_id }));
  }

  async uploadUsage(agentId: string, since: number): Promise<{ files: number; bytes: number; oldestAt: number | null }> {
    const row = parseRow('media', Usage, await this.db.get(UPLOAD_USAGE_SQL, [agentId, since]));
    return { files: row.files, bytes: row.bytes, oldestAt: row.oldest_at };
  }

  /**
   * In one transaction with the check, so a send accepted at the same moment (which reads the media row in its own
   * transaction) either finds the upload, and keeps it, or finds it gone: never a message naming a deleted file.
   */
  async expireUploads(createdBefore: number, limit: number): Promise<string[]> {
    return this.db.transaction(async () => {
      const rows = parseRows('media', MediaId, await this.db.all(expiredUploadsSql(this.db.dialect), [createdBefore, limit]));
      for (const { id } of rows) await this.db.run('DELETE FROM media WHERE id = ?', [id]);
      return rows.map((r) => r.id);
    });
  }
}
