// Media bytes in the relay's database, in parts of about 1 MiB, so every relay instance on one PostgreSQL can serve them.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { limitBytes } from '../../node-shared/http-body';
import { parseRow, parseRowIfAny, parseRows } from '../../node-shared/stored-row';
import { isUuidV7, uuidv7 } from '../../shared/uuidv7';
import type { MediaFiles } from '../media-files';
import type { SqlDatabase, SqlDialect } from './sql/sql-database';

/** Small enough that a part is never a memory worry, big enough that a 100 MB document is only 100 rows. */
export const MEDIA_PART_BYTES = 1024 * 1024;

/**
 * The table, per dialect, for the migrations of both databases. On PostgreSQL the parts are stored out of line but not
 * compressed (STORAGE EXTERNAL): images and documents are mostly compressed already, so compressing them again would
 * cost CPU on every write for nothing, and `length(bytes)` stays a look at the TOAST pointer rather than a decompression.
 */
export const MEDIA_PARTS_DDL = {
  sqlite: 'CREATE TABLE media_parts (media_id TEXT NOT NULL, part INTEGER NOT NULL, bytes BLOB NOT NULL, PRIMARY KEY (media_id, part)) STRICT;',
  postgres:
    'CREATE TABLE media_parts (media_id TEXT NOT NULL, part INTEGER NOT NULL, bytes BYTEA NOT NULL, PRIMARY KEY (media_id, part));\n' +
    'ALTER TABLE media_parts ALTER COLUMN bytes SET STORAGE EXTERNAL;',
} as const satisfies Record<SqlDialect['name'], string>;

/**
 * Parts are written under a staging key and published under the media id at the end, so no reader ever sees half a
 * file. A staging key left by a process that died mid-write starts with this and carries the UUIDv7 (hence the time)
 * of that write, so a sweep can tell it from one still being written.
 */
export const MEDIA_STAGING_PREFIX = 'staging:';

// PostgreSQL answers count(*) and sum(…) as int8, which its driver hands over as a string.
const count = z.union([z.number(), z.bigint().transform(Number), z.string().regex(/^\d+$/).transform(Number)]);
const totalsRow = z.object({ parts: count, size: count.nullable() });
const partRow = z.object({ bytes: z.instanceof(Uint8Array) });

export class SqlMediaFiles implements MediaFiles {
  constructor(private readonly db: SqlDatabase) {}

  writeStream(id: string, source: Readable, maxBytes: number): Promise<{ size: number; sha256: string }> {
    return this.store(id, source, maxBytes);
  }

  async write(id: string, bytes: Buffer): Promise<void> {
    await this.store(id, Readable.from([bytes]), Number.POSITIVE_INFINITY);
  }

  /** One statement, so the parts are one consistent version of the file. */
  async read(id: string): Promise<Buffer | null> {
    if (!isUuidV7(id)) return null;
    const rows = parseRows('media_parts', partRow, await this.db.all('SELECT bytes FROM media_parts WHERE media_id = ? ORDER BY part', [id]));
    return rows.length === 0 ? null : Buffer.concat(rows.map((r) => r.bytes));
  }

  /**
   * Sizes the file without reading its bytes, then streams it one part per query as the consumer pulls. A file is
   * rewritten only with the same bytes (inbound media fetched twice), so a stream that crosses a rewrite still yields
   * that file; one removed under it fails rather than end short.
   */
  async open(id: string): Promise<{ size: number; stream: Readable } | null> {
    if (!isUuidV7(id)) return null;
    const totals = parseRow(
      'media_parts',
      totalsRow,
      await this.db.get('SELECT count(*) AS parts, sum(length(bytes)) AS size FROM media_parts WHERE media_id = ?', [id]),
    );
    if (totals.parts === 0) return null;
    const db = this.db;
    async function* parts(): AsyncGenerator<Buffer> {
      for (let part = 0; part < totals.parts; part++) {
        const row = parseRowIfAny('media_parts', partRow, await db.get('SELECT bytes FROM media_parts WHERE media_id = ? AND part = ?', [id, part]));
        if (row === undefined) throw new Error('the media file was removed while it was being read');
        yield Buffer.from(row.bytes.buffer, row.bytes.byteOffset, row.bytes.byteLength);
      }
    }
    return { size: totals.size ?? 0, stream: Readable.from(parts(), { objectMode: false }) };
  }

  async remove(id: string): Promise<void> {
    checkId(id);
    await this.db.run('DELETE FROM media_parts WHERE media_id = ?', [id]);
  }

  /**
   * Each part is its own statement, outside any transaction: on PostgreSQL a transaction holds the writers' lock, and
   * an upload from a slow client would hold every other writer for as long as it takes. (PgDatabase still takes that
   * lock around each write statement, so other writers wait at most for one part's insert, never for the client.) Only
   * the publication at the end, two short statements, is a transaction, so a reader finds the old file or the new one.
   */
  private async store(id: string, source: Readable, maxBytes: number): Promise<{ size: number; sha256: string }> {
    checkId(id);
    const staging = `${MEDIA_STAGING_PREFIX}${uuidv7()}`;
    const hash = createHash('sha256');
    let size = 0;
    let written = 0;
    const insert = async (bytes: Buffer): Promise<void> => {
      await this.db.run('INSERT INTO media_parts (media_id, part, bytes) VALUES (?, ?, ?)', [staging, written, bytes]);
      written += 1;
    };
    try {
      await pipeline(source, limitBytes(maxBytes), async (chunks: AsyncIterable<Buffer>) => {
        // Each byte is copied once, into the part it belongs to; a chunk larger than a part is cut, never joined whole.
        let pieces: Buffer[] = [];
        let filled = 0;
        for await (const chunk of chunks) {
          size += chunk.length;
          hash.update(chunk);
          for (let rest = chunk; rest.length > 0;) {
            const piece = rest.subarray(0, MEDIA_PART_BYTES - filled);
            pieces.push(piece);
            filled += piece.length;
            rest = rest.subarray(piece.length);
            if (filled === MEDIA_PART_BYTES) {
              await insert(Buffer.concat(pieces, filled));
              pieces = [];
              filled = 0;
            }
          }
        }
        // An empty file is one empty part, so it exists (size 0) rather than reading as missing.
        if (filled > 0 || written === 0) await insert(Buffer.concat(pieces, filled));
      });
      await this.db.transaction(async () => {
        await this.db.run('DELETE FROM media_parts WHERE media_id = ?', [id]);
        const published = await this.db.run('UPDATE media_parts SET media_id = ? WHERE media_id = ?', [id, staging]);
        // Staging parts deleted under a running write (a sweep of leftovers) would publish a file with a hole.
        if (published.changes !== written) throw new Error(`media parts went missing while being written (${published.changes} of ${written})`);
      });
    } catch (error) {
      // The original failure is what the caller must see; parts this cleanup cannot delete stay under the staging key.
      await this.db.run('DELETE FROM media_parts WHERE media_id = ?', [staging]).catch(() => undefined);
      throw error;
    }
    return { size, sha256: hash.digest('hex') };
  }
}

/** Only ids the relay minted, as on disk, so both stores accept and refuse the same ids. */
function checkId(id: string): void {
  if (!isUuidV7(id)) throw new RangeError('not a media id');
}
