// Media records on SQLite: uploads from agents, and inbound media waiting to be fetched from WhatsApp.
import { z } from 'zod';
import { uuidv7 } from '../../shared/uuidv7';
import type { RelayDatabase } from './relay-db';
import type { MediaAccess, MediaRecord } from './relay-store';
import { parseRow, parseRows } from '../../node-shared/stored-row';
import { MediaRow, toMediaRecord } from './sqlite-rows';
import { MEDIA_ID_OF_CONTENT } from './migration-3-teams';

const PendingMedia = z.object({ mediaId: z.string().min(1), waMediaId: z.string().min(1) });
const MediaId = z.object({ id: z.string().min(1) });
const Uploader = z.object({ uploaded_by: z.string().nullable() });
const Shown = z.object({ conversation_id: z.string().min(1), team_id: z.string().min(1) });
/** An agent's uploads from a time on (schema 6's media_uploads_by_agent): the upload quota's one index range. */
export const UPLOAD_USAGE_SQL = `SELECT count(*) AS files, coalesce(sum(size), 0) AS bytes, min(created_at) AS oldestAt FROM media
  WHERE origin = 'upload' AND uploaded_by = ? AND created_at >= ?`;
/**
 * Uploads made before a time that no message names. `+media.id`: without the column's text affinity the comparison can
 * search messages_by_media rather than scan it.
 */
export const EXPIRED_UPLOADS_SQL = `SELECT id FROM media WHERE origin = 'upload' AND created_at < ?
  AND NOT EXISTS (SELECT 1 FROM messages WHERE ${MEDIA_ID_OF_CONTENT} = +media.id) LIMIT ?`;
const Usage = z.object({ files: z.number().int(), bytes: z.number().int(), oldestAt: z.number().int().nullable() });

export interface UploadedMedia {
  id: string;
  mimeType: string;
  fileName: string;
  size: number;
  sha256: string;
  uploadedBy: string;
  now: number;
}

export class SqliteMedia {
  constructor(private readonly db: RelayDatabase) {}

  createUploaded(m: UploadedMedia): void {
    this.db
      .prepare(
        "INSERT INTO media (id, origin, mime_type, file_name, size, sha256, state, uploaded_by, created_at) VALUES (?, 'upload', ?, ?, ?, ?, 'ready', ?, ?)",
      )
      .run(m.id, m.mimeType, m.fileName, m.size, m.sha256, m.uploadedBy, m.now);
  }

  /**
   * The relay's id for a WhatsApp media id, recording it as pending the first time it is seen.
   * `created` says whether it is new (and so still to be fetched).
   */
  inboundMediaId(media: { waMediaId: string; mimeType: string; fileName?: string; sha256?: string }, now: number): { mediaId: string; created: boolean } {
    const known = this.db.prepare('SELECT id FROM media WHERE wa_media_id = ?').get(media.waMediaId);
    if (known !== undefined) return { mediaId: parseRow('media', MediaId, known).id, created: false };
    const mediaId = uuidv7();
    this.db
      .prepare("INSERT INTO media (id, wa_media_id, origin, mime_type, file_name, sha256, state, created_at) VALUES (?, ?, 'inbound', ?, ?, ?, 'pending', ?)")
      .run(mediaId, media.waMediaId, media.mimeType, media.fileName ?? null, media.sha256 ?? null, now);
    return { mediaId, created: true };
  }

  get(id: string): MediaRecord | null {
    const row = this.db.prepare('SELECT * FROM media WHERE id = ?').get(id);
    return row === undefined ? null : toMediaRecord(parseRow('media', MediaRow, row));
  }

  setState(id: string, state: 'ready' | 'failed', details?: { size: number; sha256: string; mimeType: string }): void {
    this.db
      .prepare('UPDATE media SET state = ?, size = coalesce(?, size), sha256 = coalesce(?, sha256), mime_type = coalesce(?, mime_type) WHERE id = ?')
      .run(state, details?.size ?? null, details?.sha256 ?? null, details?.mimeType ?? null, id);
  }

  setWaId(id: string, waMediaId: string): void {
    this.db.prepare('UPDATE media SET wa_media_id = ? WHERE id = ?').run(waMediaId, id);
  }

  /** Its uploader and the conversations (with their teams) whose messages show it: through messages_by_media, no scan. */
  access(id: string): MediaAccess | null {
    const media = this.db.prepare('SELECT uploaded_by FROM media WHERE id = ?').get(id);
    if (media === undefined) return null;
    const shown = parseRows(
      'messages',
      Shown,
      this.db
        .prepare(
          `SELECT DISTINCT m.conversation_id, c.team_id FROM messages m JOIN conversations c ON c.id = m.conversation_id
           WHERE ${MEDIA_ID_OF_CONTENT} = ? ORDER BY m.conversation_id`,
        )
        .all(id),
    );
    return {
      uploadedBy: parseRow('media', Uploader, media).uploaded_by,
      conversationIds: [...new Set(shown.map((s) => s.conversation_id))],
      teamIds: [...new Set(shown.map((s) => s.team_id))],
    };
  }

  uploadUsage(agentId: string, since: number): { files: number; bytes: number; oldestAt: number | null } {
    return parseRow('media', Usage, this.db.prepare(UPLOAD_USAGE_SQL).get(agentId, since));
  }

  /**
   * In one transaction with the check, so a send accepted at the same moment (which reads the media row in its own
   * transaction) either finds the upload, and keeps it, or finds it gone: never a message naming a deleted file.
   */
  expireUploads(createdBefore: number, limit: number): string[] {
    return this.db.transaction(() => {
      const ids = parseRows('media', MediaId, this.db.prepare(EXPIRED_UPLOADS_SQL).all(createdBefore, limit)).map((r) => r.id);
      const remove = this.db.prepare('DELETE FROM media WHERE id = ?');
      for (const id of ids) remove.run(id);
      return ids;
    })();
  }

  pendingInbound(limit: number): { mediaId: string; waMediaId: string }[] {
    const rows = this.db
      .prepare("SELECT id AS mediaId, wa_media_id AS waMediaId FROM media WHERE origin = 'inbound' AND state = 'pending' AND wa_media_id IS NOT NULL LIMIT ?")
      .all(limit);
    return parseRows('media', PendingMedia, rows);
  }
}
