import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { setImmediate } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/uuidv7';
import { describeMediaFiles, patterned } from '../test-support/media-files-suite';
import type { SqlDatabase, SqlRun, SqlValue } from './sql/sql-database';
import { SqliteDatabase } from './sql/sqlite-database';
import { MEDIA_PART_BYTES, MEDIA_PARTS_DDL, SqlMediaFiles } from './sql-media-files';

function openSqlite(): { db: SqliteDatabase; dir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'bl-media-sql-'));
  const raw = new Database(path.join(dir, 'relay.db'));
  raw.pragma('journal_mode = WAL');
  raw.exec(MEDIA_PARTS_DDL.sqlite);
  return { db: new SqliteDatabase(raw), dir };
}

async function storedKeys(db: SqlDatabase): Promise<string[]> {
  const rows = await db.all('SELECT DISTINCT media_id FROM media_parts ORDER BY media_id');
  return rows.map((row) => String((row as { media_id: unknown }).media_id));
}

describeMediaFiles('parts in a SQLite file', async () => {
  const { db, dir } = openSqlite();
  return {
    files: new SqlMediaFiles(db),
    stored: () => storedKeys(db),
    close: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

/** The database as the store sees it, counting the media bytes that cross in each direction. */
class CountingDatabase implements SqlDatabase {
  sent = 0;
  fetched = 0;
  transactions = 0;
  constructor(private readonly inner: SqlDatabase) {}
  get dialect() {
    return this.inner.dialect;
  }
  async all(sql: string, params: readonly SqlValue[] = []): Promise<unknown[]> {
    const rows = await this.inner.all(sql, params);
    for (const row of rows) this.fetched += bytesIn(row);
    return rows;
  }
  async get(sql: string, params: readonly SqlValue[] = []): Promise<unknown> {
    const row = await this.inner.get(sql, params);
    this.fetched += bytesIn(row);
    return row;
  }
  run(sql: string, params: readonly SqlValue[] = []): Promise<SqlRun> {
    for (const p of params) if (p instanceof Uint8Array) this.sent += p.length;
    return this.inner.run(sql, params);
  }
  transaction<T>(work: () => Promise<T>): Promise<T> {
    this.transactions += 1;
    return this.inner.transaction(work);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

function bytesIn(row: unknown): number {
  if (typeof row !== 'object' || row === null) return 0;
  return Object.values(row).reduce((sum: number, v) => sum + (v instanceof Uint8Array ? v.length : 0), 0);
}

describe('SqlMediaFiles: memory and locks on the way in and out', () => {
  let dir: string;
  let db: CountingDatabase;
  beforeEach(() => {
    const opened = openSqlite();
    dir = opened.dir;
    db = new CountingDatabase(opened.db);
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores an upload part by part as it arrives, never more than a part ahead of the database', async () => {
    const files = new SqlMediaFiles(db);
    let pulled = 0;
    let furthestAhead = 0;
    const source = Readable.from(
      (async function* () {
        for (let i = 0; i < 20 * 16; i++) {
          furthestAhead = Math.max(furthestAhead, pulled - db.sent);
          pulled += 64 * 1024;
          yield patterned(64 * 1024, i);
        }
      })(),
      { objectMode: false },
    );
    await files.writeStream(uuidv7(), source, 20 * MEDIA_PART_BYTES);
    expect(db.sent).toBe(20 * MEDIA_PART_BYTES);
    // The pipeline buffers a little besides the part being filled; the whole file (20 parts) never waits in memory.
    expect(furthestAhead).toBeLessThanOrEqual(2 * MEDIA_PART_BYTES);
    // One short transaction publishes the parts; none is held while the client sends.
    expect(db.transactions).toBe(1);
  });

  it('fails a write whose staged parts were swept away under it, keeping the earlier file rather than one with a hole', async () => {
    const files = new SqlMediaFiles(db);
    const id = uuidv7();
    const earlier = patterned(10, 2);
    await files.write(id, earlier);
    const source = Readable.from(
      (async function* () {
        yield patterned(MEDIA_PART_BYTES + 5, 3);
        for (let i = 0; i < 1_000 && db.sent < MEDIA_PART_BYTES; i++) await setImmediate(); // the first part is being stored
        await db.run("DELETE FROM media_parts WHERE media_id LIKE 'staging:%'"); // an operator's sweep of leftovers
        yield patterned(MEDIA_PART_BYTES, 4);
      })(),
      { objectMode: false },
    );
    await expect(files.writeStream(id, source, 10 * MEDIA_PART_BYTES)).rejects.toThrow('media parts went missing');
    expect((await files.read(id))?.equals(earlier)).toBe(true);
    expect(await storedKeys(db)).toEqual([id]);
  });

  it('streams a download one part per query as the reader pulls', async () => {
    const files = new SqlMediaFiles(db);
    const id = uuidv7();
    await files.write(id, patterned(20 * MEDIA_PART_BYTES, 1));
    db.fetched = 0;
    const opened = await files.open(id);
    expect(db.fetched).toBe(0); // sizing the file reads none of its bytes
    const iterator = (opened!.stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value?.length).toBe(MEDIA_PART_BYTES);
    expect(db.fetched).toBeLessThanOrEqual(2 * MEDIA_PART_BYTES);
    await iterator.return?.();
  });
});
