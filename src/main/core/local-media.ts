// Media the console keeps: files the agent opened (cached from the relay) and files queued to send, with their uploads.
import type { LocalDatabase } from './local-db';
import type { MediaFiles } from './media-files';

export interface CachedMedia {
  mimeType: string;
  fileName: string | null;
  bytes: Buffer;
}

interface MediaRow {
  file: string;
  mime_type: string;
  file_name: string | null;
}

export class MediaCache {
  private readonly statements;

  constructor(
    private readonly db: LocalDatabase,
    private readonly files: MediaFiles,
  ) {
    this.statements = {
      get: db.prepare<[string], MediaRow>('SELECT file, mime_type, file_name FROM media_files WHERE media_id = ?'),
      put: db.prepare<[string, string, string, string | null, number, number]>(
        'INSERT OR REPLACE INTO media_files (media_id, file, mime_type, file_name, size, cached_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      remove: db.prepare<[string]>('DELETE FROM media_files WHERE media_id = ?'),
      rekey: db.prepare<[string, string]>('UPDATE OR REPLACE media_files SET media_id = ? WHERE media_id = ?'),
      upload: db.prepare<[string], { relay_media_id: string | null }>('SELECT relay_media_id FROM uploads WHERE local_media_id = ?'),
      addUpload: db.prepare<[string, number]>('INSERT OR IGNORE INTO uploads (local_media_id, relay_media_id, created_at) VALUES (?, NULL, ?)'),
      setUploaded: db.prepare<[string, string]>('UPDATE uploads SET relay_media_id = ? WHERE local_media_id = ?'),
      dropUpload: db.prepare<[string]>('DELETE FROM uploads WHERE local_media_id = ?'),
    };
  }

  get(mediaId: string): CachedMedia | null {
    const row = this.statements.get.get(mediaId);
    if (row === undefined) return null;
    const bytes = this.files.read(row.file);
    if (bytes === null) {
      this.statements.remove.run(mediaId); // the file went missing: a cache miss, fetched again
      return null;
    }
    return { mimeType: row.mime_type, fileName: row.file_name, bytes };
  }

  /** Writes the file, then its row; call inside the caller's transaction when the row belongs with other writes. */
  put(mediaId: string, media: CachedMedia, now: number): void {
    const previous = this.statements.get.get(mediaId);
    const file = this.files.write(media.bytes);
    try {
      this.statements.put.run(mediaId, file, media.mimeType, media.fileName, media.bytes.length, now);
    } catch (error) {
      this.files.remove(file);
      throw error;
    }
    if (previous !== undefined) this.files.remove(previous.file);
  }

  remove(mediaId: string): void {
    const row = this.statements.get.get(mediaId);
    this.statements.remove.run(mediaId);
    if (row !== undefined) this.files.remove(row.file);
  }

  /** A file sent from here is known by the relay's id afterwards: keep it cached under that id. */
  rekey(from: string, to: string): void {
    if (from !== to) this.statements.rekey.run(to, from);
  }

  /** undefined: not a file queued here; null: not uploaded yet; else the relay's media id. */
  uploadOf(localMediaId: string): string | null | undefined {
    const row = this.statements.upload.get(localMediaId);
    return row === undefined ? undefined : row.relay_media_id;
  }

  addUpload(localMediaId: string, now: number): void {
    this.statements.addUpload.run(localMediaId, now);
  }

  setUploaded(localMediaId: string, relayMediaId: string): void {
    this.statements.setUploaded.run(relayMediaId, localMediaId);
  }

  dropUpload(localMediaId: string): void {
    this.statements.dropUpload.run(localMediaId);
  }

  /** Removes cached files older than `cutoff`, except files of messages still waiting to be sent. Returns how many. */
  prune(cutoff: number): number {
    const old = this.db
      .prepare<[number], { media_id: string; file: string }>(
        'SELECT media_id, file FROM media_files WHERE cached_at < ? AND media_id NOT IN (SELECT local_media_id FROM uploads)',
      )
      .all(cutoff);
    const remove = this.db.transaction(() => {
      for (const row of old) this.statements.remove.run(row.media_id);
    });
    remove();
    for (const row of old) this.files.remove(row.file);
    return old.length;
  }

  /** Deletes files no row names (a crash between writing a file and committing its row). */
  sweep(): number {
    const known = new Set(
      this.db
        .prepare<[], { file: string }>('SELECT file FROM media_files')
        .all()
        .map((r) => r.file),
    );
    return this.files.sweep(known);
  }
}
