// Media uploaded to the fake Graph API, kept in the sandbox database so it outlives a restart.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { parseRow } from '../../node-shared/stored-row';
import type { SandboxDatabase } from './sandbox-db';
import { newMediaId } from './sandbox-ids';

export interface StoredMediaInfo {
  readonly id: string;
  readonly mimeType: string;
  readonly fileName: string | null;
  /** Base64 of the SHA-256 of the bytes, as Meta reports it. */
  readonly sha256: string;
  readonly size: number;
}

export interface MediaStore {
  put(file: { bytes: Buffer; mimeType: string; fileName: string | null }, now: number): StoredMediaInfo;
  info(id: string): StoredMediaInfo | undefined;
  bytes(id: string): { info: StoredMediaInfo; bytes: Buffer } | undefined;
}

const InfoRow = z.object({ id: z.string(), mime_type: z.string(), file_name: z.string().nullable(), sha256: z.string(), size: z.number().int() });
type InfoRow = z.infer<typeof InfoRow>;
const BytesRow = InfoRow.extend({ bytes: z.instanceof(Buffer) });

const toInfo = (row: InfoRow): StoredMediaInfo => ({
  id: row.id,
  mimeType: row.mime_type,
  fileName: row.file_name,
  sha256: row.sha256,
  size: row.size,
});

export function createMediaStore(db: SandboxDatabase): MediaStore {
  const insert = db.prepare('INSERT INTO media (id, mime_type, file_name, sha256, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  const selectInfo = db.prepare<[string]>('SELECT id, mime_type, file_name, sha256, length(bytes) AS size FROM media WHERE id = ?');
  const selectBytes = db.prepare<[string]>('SELECT id, mime_type, file_name, sha256, length(bytes) AS size, bytes FROM media WHERE id = ?');
  return {
    put(file, now) {
      const sha256 = createHash('sha256').update(file.bytes).digest('base64');
      let id = newMediaId();
      while (selectInfo.get(id) !== undefined) id = newMediaId();
      insert.run(id, file.mimeType, file.fileName, sha256, file.bytes, now);
      return { id, mimeType: file.mimeType, fileName: file.fileName, sha256, size: file.bytes.length };
    },
    info(id) {
      const row = selectInfo.get(id);
      return row === undefined ? undefined : toInfo(parseRow('media', InfoRow, row));
    },
    bytes(id) {
      const found = selectBytes.get(id);
      if (found === undefined) return undefined;
      const row = parseRow('media', BytesRow, found);
      return { info: toInfo(row), bytes: row.bytes };
    },
  };
}
